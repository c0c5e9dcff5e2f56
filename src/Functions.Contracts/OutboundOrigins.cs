namespace Functions.Contracts;

/// <summary>
/// The rules of a route's <c>allowedHosts</c>, written once for the control plane (which refuses what breaks them) and
/// the CLI (which imports WAGI and Spin manifests): each entry is an origin, <c>http</c> or <c>https</c>, a host and an
/// optional port, nothing else. The normal form is <c>scheme://host[:port]</c>, lowercase, the host in ASCII
/// (punycode), the scheme's default port left out, so <c>HTTPS://API.Example.com:443/</c> is
/// <c>https://api.example.com</c>.
/// </summary>
public static class OutboundOrigins
{
    /// <summary>Most origins one route may allow (after duplicates collapse, before too).</summary>
    public const int MaxHosts = 100;

    /// <summary>Longest origin accepted, in characters.</summary>
    public const int MaxLength = 300;

    /// <summary>Outbound requests of one route in flight at once on one worker, unless the route says otherwise.</summary>
    public const int DefaultMaxConcurrency = 8;

    /// <summary>Highest <c>maxOutboundConcurrency</c> a route may ask for.</summary>
    public const int MaxConcurrencyCeiling = 1000;

    /// <summary>The example every message gives.</summary>
    public const string Example = "https://api.example.com";

    /// <summary>
    /// <paramref name="text"/> in normal form, or false with <paramref name="problem"/> saying what to change
    /// (a sentence without the final period, starting lowercase so it can follow the entry).
    /// </summary>
    public static bool TryNormalize(string? text, out string origin, out string problem)
    {
        origin = "";
        var trimmed = text?.Trim() ?? "";
        problem = Check(trimmed);
        if (problem.Length > 0)
        {
            return false;
        }

        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        var scheme = trimmed[..schemeEnd].ToLowerInvariant();
        var rest = trimmed[(schemeEnd + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var tail = end < 0 ? "" : rest[end..];
        if (tail is not ("" or "/"))
        {
            problem = tail[0] switch
            {
                '?' => $"an origin has no query: drop '{Shorten(tail)}'",
                '#' => $"an origin has no fragment: drop '{Shorten(tail)}'",
                _ => $"an origin has no path (it allows every path of its host): drop '{Shorten(tail)}'",
            };
            return false;
        }

        if (authority.Contains('@'))
        {
            problem = "an origin has no user name or password: credentials go into the requests the function makes";
            return false;
        }

        if (authority.Length == 0
            || !Uri.TryCreate($"{scheme}://{authority}/", UriKind.Absolute, out var uri)
            || uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6)
            || uri.Port is < 1 or > 65535)
        {
            problem = $"'{Shorten(authority)}' is not a host with an optional port (1-65535), e.g. api.example.com or " +
                "127.0.0.1:8080";
            return false;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        host = host.ToLowerInvariant();
        origin = uri.IsDefaultPort ? $"{scheme}://{host}" : $"{scheme}://{host}:{uri.Port}";
        return true;
    }

    /// <summary>
    /// Every entry of <paramref name="hosts"/> normalised, duplicates collapsed (the first keeps its place); each
    /// entry that breaks the rules goes to <paramref name="problem"/> with its index, and is left out.
    /// </summary>
    public static List<string> NormalizeAll(IEnumerable<string?> hosts, Action<int, string> problem)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var host in hosts)
        {
            if (TryNormalize(host, out var origin, out var why))
            {
                if (seen.Add(origin))
                {
                    result.Add(origin);
                }
            }
            else
            {
                problem(index, why);
            }

            index++;
        }

        return result;
    }

    private static string Check(string text)
    {
        if (text.Length == 0)
        {
            return $"an origin is a scheme and a host, e.g. {Example}";
        }

        if (text.Length > MaxLength)
        {
            return $"an origin is at most {MaxLength} characters";
        }

        if (text.Equals("insecure:allow-all", StringComparison.OrdinalIgnoreCase))
        {
            return "allowing every host is not supported here: list each origin the function calls, e.g. " + Example;
        }

        if (text.Contains('*'))
        {
            return $"wildcards are not supported: list each origin, e.g. {Example}";
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return $"an origin starts with its scheme: write https://{Shorten(text)} (or http://)";
        }

        var scheme = text[..schemeEnd];
        return scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase)
            ? ""
            : $"only http and https origins can be allowed, not '{Shorten(scheme)}'";
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
