namespace Functions.Wagi;

/// <summary>How the response parser treats a header name.</summary>
internal enum HeaderKind
{
    Other,
    Status,
    ContentType,
    Location,
    ContentLength,
    HopByHop,
}

/// <summary>Header names the parser treats specially, and common ones it need not allocate.</summary>
internal static class KnownHeaders
{
    private static readonly (string Name, HeaderKind Kind)[] Table =
    [
        ("Content-Type", HeaderKind.ContentType),
        ("Status", HeaderKind.Status),
        ("Location", HeaderKind.Location),
        ("Content-Length", HeaderKind.ContentLength),
        ("Connection", HeaderKind.HopByHop),
        ("Keep-Alive", HeaderKind.HopByHop),
        ("Proxy-Connection", HeaderKind.HopByHop),
        ("TE", HeaderKind.HopByHop),
        ("Trailer", HeaderKind.HopByHop),
        ("Transfer-Encoding", HeaderKind.HopByHop),
        ("Upgrade", HeaderKind.HopByHop),
        ("Set-Cookie", HeaderKind.Other),
        ("Cache-Control", HeaderKind.Other),
        ("Content-Encoding", HeaderKind.Other),
        ("ETag", HeaderKind.Other),
        ("Last-Modified", HeaderKind.Other),
    ];

    /// <summary>
    /// The kind of <paramref name="name"/> (case-insensitive), and a ready string for it when the module
    /// spelled it exactly as in the table (otherwise null, and the caller keeps the module's spelling).
    /// </summary>
    public static (HeaderKind Kind, string? Name) Find(ReadOnlySpan<byte> name)
    {
        foreach (var (known, kind) in Table)
        {
            if (known.Length == name.Length && EqualsIgnoreCase(name, known, out var exact))
            {
                return (kind, exact ? known : null);
            }
        }

        return (HeaderKind.Other, null);
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> bytes, string text, out bool exact)
    {
        exact = true;
        for (var i = 0; i < bytes.Length; i++)
        {
            var c = (char)bytes[i];
            if (c == text[i])
            {
                continue;
            }

            exact = false;
            if (char.ToLowerInvariant(c) != char.ToLowerInvariant(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
