using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Functions.Wagi;

/// <summary>Builds a request's argv (WAGI.md, "argv").</summary>
public static class WagiArgv
{
    /// <summary>The template placeholder for the query with <c>&amp;</c> → space.</summary>
    public const string ArgsPlaceholder = "ARGS";

    /// <summary>
    /// Without a template (null or blank), WAGI's argv: the raw path, then the raw query split on <c>&amp;</c>
    /// (empty items kept, as WAGI does; no query → no more items). With one, e.g.
    /// <c>"${SCRIPT_NAME} ${ARGS}"</c>: every <c>${NAME}</c> is replaced by that variable of
    /// <paramref name="environment"/> (unknown → empty), <c>${ARGS}</c> by the query with <c>&amp;</c> → space,
    /// and the result is split on whitespace. A <c>$</c> that starts no placeholder is kept as written.
    /// </summary>
    public static string[] Build(
        WagiRequest request, IReadOnlyList<KeyValuePair<string, string>> environment, string? template = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(environment);
        return string.IsNullOrWhiteSpace(template) ? Default(request) : FromTemplate(request, environment, template);
    }

    /// <summary>Checks a template at bind time; <paramref name="error"/> says what to fix.</summary>
    public static bool TryValidateTemplate(string template, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(template);
        var rest = template.AsSpan();
        var offset = 0;
        while (true)
        {
            var start = rest.IndexOf("${", StringComparison.Ordinal);
            if (start < 0)
            {
                error = null;
                return true;
            }

            var close = rest[(start + 2)..].IndexOf('}');
            if (close < 0)
            {
                error = $"argv template '{template}': '${{' at position {offset + start} has no closing '}}'";
                return false;
            }

            var name = rest.Slice(start + 2, close);
            if (!IsVariableName(name))
            {
                error = $"argv template '{template}': '${{{name}}}' is not a variable name; use letters, digits and '_', e.g. '${{SCRIPT_NAME}}'";
                return false;
            }

            offset += start + close + 3;
            rest = rest[(start + close + 3)..];
        }
    }

    private static string[] Default(WagiRequest request)
    {
        var query = request.QueryString;
        if (query.Length == 0)
        {
            return [request.RawPath];
        }

        var args = new string[query.AsSpan().Count('&') + 2];
        args[0] = request.RawPath;
        var i = 1;
        foreach (var range in query.AsSpan().Split('&'))
        {
            args[i++] = query[range];
        }

        return args;
    }

    private static string[] FromTemplate(
        WagiRequest request, IReadOnlyList<KeyValuePair<string, string>> environment, string template)
    {
        var expanded = new StringBuilder(template.Length + request.QueryString.Length + 64);
        var rest = template.AsSpan();
        while (!rest.IsEmpty)
        {
            var start = rest.IndexOf("${", StringComparison.Ordinal);
            var close = start < 0 ? -1 : rest[(start + 2)..].IndexOf('}');
            if (close < 0 || !IsVariableName(rest.Slice(start + 2, close)))
            {
                // No (valid) placeholder from here on up to the next "${": keep the text as written.
                var literal = start < 0 ? rest.Length : start + 2;
                expanded.Append(rest[..literal]);
                rest = rest[literal..];
                continue;
            }

            expanded.Append(rest[..start]);
            var name = rest.Slice(start + 2, close);
            if (name.SequenceEqual(ArgsPlaceholder))
            {
                expanded.Append(request.QueryString).Replace('&', ' ', expanded.Length - request.QueryString.Length, request.QueryString.Length);
            }
            else
            {
                expanded.Append(Lookup(environment, name));
            }

            rest = rest[(start + close + 3)..];
        }

        return expanded.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Lookup(IReadOnlyList<KeyValuePair<string, string>> environment, ReadOnlySpan<char> name)
    {
        for (var i = 0; i < environment.Count; i++)
        {
            if (name.SequenceEqual(environment[i].Key))
            {
                return environment[i].Value;
            }
        }

        return "";
    }

    private static bool IsVariableName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
