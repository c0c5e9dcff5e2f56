using System.Diagnostics.CodeAnalysis;

namespace Functions.Wagi;

/// <summary>
/// A route as bound: <c>/exact</c>, <c>/prefix/...</c> (the prefix itself and everything below it) or
/// <c>/...</c> (every path). Matching is ordinal on the raw, not-decoded request path.
/// </summary>
/// <remarks>
/// <see cref="Prefix"/> is the part before <c>/...</c>: <c>/prefix</c> for <c>/prefix/...</c> and <c>""</c>
/// for the root wildcard <c>/...</c>, so that the path info is always <c>rawPath[Prefix.Length..]</c>.
/// For an exact route it is the whole route. <see cref="ScriptName"/> is WAGI's <c>SCRIPT_NAME</c>:
/// the route without <c>/...</c>, and <c>/</c> for the root wildcard.
/// </remarks>
public sealed record RoutePattern
{
    /// <summary>Longest route accepted, in characters.</summary>
    public const int MaxLength = 1024;

    private const string WildcardSuffix = "/...";

    private RoutePattern(string text, bool isWildcard)
    {
        Text = text;
        IsWildcard = isWildcard;
        Prefix = isWildcard ? text[..^WildcardSuffix.Length] : text;
        ScriptName = Prefix.Length == 0 ? "/" : Prefix;
    }

    /// <summary>The route exactly as bound, <c>/...</c> included (WAGI's <c>X_MATCHED_ROUTE</c>).</summary>
    public string Text { get; }

    /// <summary>True for <c>/prefix/...</c> and <c>/...</c>.</summary>
    public bool IsWildcard { get; }

    /// <summary>The route without <c>/...</c>; <c>""</c> for <c>/...</c>; the whole route when exact.</summary>
    public string Prefix { get; }

    /// <summary>WAGI's <c>SCRIPT_NAME</c>: <see cref="Prefix"/>, or <c>/</c> for the root wildcard.</summary>
    public string ScriptName { get; }

    /// <summary>Parses a route, throwing <see cref="FormatException"/> with what to fix.</summary>
    public static RoutePattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException(error);
    }

    /// <summary>Parses a route; on failure <paramref name="error"/> says what to fix.</summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out RoutePattern? pattern,
        [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        error = Validate(text);
        if (error is not null)
        {
            return false;
        }

        var isWildcard = text!.EndsWith(WildcardSuffix, StringComparison.Ordinal);
        pattern = new RoutePattern(text, isWildcard);
        return true;
    }

    /// <summary>True when <paramref name="rawPath"/> (not decoded, no query) is served by this route.</summary>
    public bool IsMatch(ReadOnlySpan<char> rawPath)
    {
        if (!IsWildcard)
        {
            return rawPath.SequenceEqual(Text);
        }

        // "/a/..." serves "/a" and "/a/<anything>" but not "/ab"; "/..." serves every path.
        return rawPath.StartsWith(Prefix, StringComparison.Ordinal)
            && (rawPath.Length == Prefix.Length || rawPath[Prefix.Length] == '/');
    }

    /// <summary>Matches one route on its own; <see cref="RouteTable{T}"/> is the fast way for many.</summary>
    public RouteMatch? Match(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        return IsMatch(rawPath) ? new RouteMatch(this, rawPath) : null;
    }

    /// <summary>
    /// The route of a sub-path printed by a module's <c>_routes</c> export, placed under this route
    /// (WAGI: <c>/parent/...</c> + <c>/exact</c> → <c>/parent/exact</c>; <c>/parent</c> + <c>/w/...</c> →
    /// <c>/parent/w/...</c>). A sub-path without a leading <c>/</c> gets one, as in WAGI.
    /// </summary>
    public bool TryAppend(
        string subPath,
        [NotNullWhen(true)] out RoutePattern? combined,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(subPath);
        var head = Prefix.EndsWith('/') ? Prefix.AsSpan(0, Prefix.Length - 1) : Prefix.AsSpan();
        var tail = subPath.StartsWith('/') ? subPath.AsSpan(1) : subPath.AsSpan();
        return TryParse(string.Concat(head, "/", tail), out combined, out error);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static string? Validate(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "route is empty: give a path such as '/hello', '/api/...' or '/...'";
        }

        if (text.Length > MaxLength)
        {
            return $"route is {text.Length} characters long; the limit is {MaxLength}";
        }

        if (text[0] != '/')
        {
            return $"route '{text}' must start with '/', e.g. '/{text}'";
        }

        // Check every segment between slashes; the last one may be the wildcard "...".
        var rest = text.AsSpan(1);
        var position = 1;
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            var isLast = slash < 0;
            var problem = ValidateSegment(text, segment, position, isLast);
            if (problem is not null)
            {
                return problem;
            }

            if (isLast)
            {
                return null;
            }

            position += slash + 1;
            rest = rest[(slash + 1)..];
        }
    }

    private static string? ValidateSegment(string text, ReadOnlySpan<char> segment, int position, bool isLast)
    {
        if (segment.Length == 0)
        {
            // A trailing slash is a real, distinct path ("/a/" is not "/a"); an empty segment inside is a typo.
            // The root route "/" is the one-slash case of this.
            return isLast
                ? null
                : $"route '{text}' has an empty segment '//' at position {position - 1}: remove the extra '/'";
        }

        if (segment.SequenceEqual("..."))
        {
            return isLast
                ? null
                : $"route '{text}': '...' may only appear as the last segment '/...'";
        }

        if (segment.Contains("...", StringComparison.Ordinal))
        {
            return $"route '{text}': '...' may only appear as the last segment '/...', e.g. '/api/...'";
        }

        if (segment.SequenceEqual(".") || segment.SequenceEqual(".."))
        {
            return $"route '{text}' has a '{segment}' segment: clients normalise those away, so it could never match; remove it";
        }

        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '?':
                    return $"route '{text}' contains '?': a route is a path only; the query string goes to QUERY_STRING";
                case '#':
                    return $"route '{text}' contains '#': fragments are never sent to a server; remove it";
                case '%':
                    if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
                    {
                        return $"route '{text}' has a '%' at position {position + i} that is not followed by two hex digits: write '%25' for a literal '%'";
                    }

                    break;
                default:
                    if (char.IsWhiteSpace(c))
                    {
                        return $"route '{text}' contains whitespace at position {position + i}: percent-encode it (a space is '%20')";
                    }

                    if (char.IsControl(c))
                    {
                        return $"route '{text}' contains a control character at position {position + i}: remove it";
                    }

                    if (!char.IsAscii(c))
                    {
                        return $"route '{text}' contains the non-ASCII character '{c}' at position {position + i}: routes match the raw request path, so percent-encode it as UTF-8 (e.g. 'é' is '%C3%A9')";
                    }

                    break;
            }
        }

        return null;
    }
}
