using System.Globalization;

namespace Functions.Wagi;

/// <summary>Builds a request's WAGI environment (WAGI.md, "Environment").</summary>
public static class WagiEnvironment
{
    // Beyond this many headers a dictionary finds repeated names faster than a scan of what is built so far.
    private const int ScanLimit = 16;

    // Never passed to a module (RFC 3875 §4.1.18 and RFC 9110 §7.6.1), in environment-name form. PROXY: a client's
    // "Proxy:" header would become HTTP_PROXY, which HTTP libraries read as the proxy to use (httpoxy, CVE-2016-5385).
    private static readonly string[] NeverPassed =
    [
        "PROXY", "AUTHORIZATION", "PROXY_AUTHORIZATION", "CONNECTION", "KEEP_ALIVE", "PROXY_CONNECTION", "TE", "TRAILER",
        "TRANSFER_ENCODING", "UPGRADE",
    ];

    /// <summary>
    /// The environment for one request: the binding's <paramref name="configured"/> variables, then the CGI
    /// variables (which replace a configured one of the same name), then one <c>HTTP_*</c> per header name
    /// (repeats joined with <c>", "</c>; none replaces a configured variable). Names are unique. Never passed: header
    /// names with <c>_</c>, <c>Proxy</c> (httpoxy), credentials and hop-by-hop headers.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Build(
        WagiRequest request,
        RouteMatch match,
        IReadOnlyDictionary<string, string>? configured = null,
        string serverSoftware = WagiVariables.DefaultServerSoftware)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(serverSoftware);

        var headers = request.Headers;
        var env = new List<KeyValuePair<string, string>>(
            (configured?.Count ?? 0) + WagiVariables.Reserved.Count + headers.Count);

        if (configured is not null)
        {
            foreach (var variable in configured)
            {
                if (!WagiVariables.Reserved.Contains(variable.Key))
                {
                    env.Add(variable);
                }
            }
        }

        AddCgiVariables(env, request, match, serverSoftware);
        AddHeaders(env, headers, configured);
        return env;
    }

    private static void AddCgiVariables(
        List<KeyValuePair<string, string>> env, WagiRequest request, RouteMatch match, string serverSoftware)
    {
        string serverName, serverPort, authority;
        if (request.Host is { } host && HostHeader.TrySplit(host, request.Scheme, out serverName, out serverPort))
        {
            authority = host.Trim();
        }
        else
        {
            serverName = HostHeader.LocalName(request.LocalAddress);
            serverPort = HostHeader.LocalPort(request.LocalPort, request.Scheme);
            authority = serverPort == HostHeader.DefaultPort(request.Scheme) ? serverName : $"{serverName}:{serverPort}";
        }

        var query = request.QueryString;
        var fullUrl = query.Length == 0
            ? string.Concat(request.Scheme, "://", authority, request.RawPath)
            : string.Concat(request.Scheme, "://", authority, request.RawPath, "?", query);

        env.Add(new(WagiVariables.RequestMethod, request.Method));
        env.Add(new(WagiVariables.ServerProtocol, request.Protocol));
        env.Add(new(WagiVariables.GatewayInterface, WagiVariables.CgiVersion));
        env.Add(new(WagiVariables.ServerSoftware, serverSoftware));
        env.Add(new(WagiVariables.ServerName, serverName));
        env.Add(new(WagiVariables.ServerPort, serverPort));
        env.Add(new(WagiVariables.RemoteAddr, request.RemoteAddress));
        env.Add(new(WagiVariables.RemoteHost, request.RemoteAddress));
        env.Add(new(WagiVariables.AuthType, ""));
        env.Add(new(WagiVariables.RemoteUser, ""));
        env.Add(new(WagiVariables.QueryString, query));
        env.Add(new(WagiVariables.ScriptName, match.ScriptName));
        env.Add(new(WagiVariables.PathInfo, match.PathInfo));
        env.Add(new(WagiVariables.PathTranslated, match.PathInfo));
        env.Add(new(WagiVariables.RawPathInfo, match.RawPathInfo));
        env.Add(new(WagiVariables.MatchedRoute, match.Pattern.Text));
        env.Add(new(WagiVariables.FullUrl, fullUrl));
        env.Add(new(WagiVariables.ContentLength, request.ContentLength > 0 ? request.ContentLength.ToString(CultureInfo.InvariantCulture) : "0"));
        env.Add(new(WagiVariables.ContentType, request.ContentType ?? ""));
        env.Add(new(WagiVariables.RequestId, request.RequestId));
    }

    private static void AddHeaders(
        List<KeyValuePair<string, string>> env,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        IReadOnlyDictionary<string, string>? configured)
    {
        if (headers.Count == 0)
        {
            return;
        }

        var connectionOptions = ConnectionOptions(headers);
        var first = env.Count;
        Dictionary<string, int>? positions = headers.Count > ScanLimit ? new(StringComparer.Ordinal) : null;

        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            // A name with '_' is dropped (as nginx does): it would give the same variable as its '-' twin, so a client
            // could add to, or spoof, what a proxy in front set (X_Forwarded_User for X-Forwarded-User).
            if (!HttpSyntax.IsToken(name) || name.Contains('_', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal)
                || IsNeverPassed(name) || IsListed(connectionOptions, name))
            {
                continue;
            }

            var variable = ToVariableName(name);
            if (configured?.ContainsKey(variable) == true)
            {
                continue;
            }

            var at = positions is not null
                ? positions.GetValueOrDefault(variable, -1)
                : IndexOf(env, first, variable);
            if (at >= 0)
            {
                env[at] = new(variable, string.Concat(env[at].Value, ", ", value));
            }
            else
            {
                positions?.Add(variable, env.Count);
                env.Add(new(variable, value));
            }
        }
    }

    private static int IndexOf(List<KeyValuePair<string, string>> env, int first, string name)
    {
        for (var i = first; i < env.Count; i++)
        {
            if (string.Equals(env[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The <c>Connection</c> header's options: the headers it names are hop-by-hop too (RFC 9110 §7.6.1).</summary>
    private static string? ConnectionOptions(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        string? options = null;
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i].Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                options = options is null ? headers[i].Value : string.Concat(options, ",", headers[i].Value);
            }
        }

        return options;
    }

    private static bool IsListed(string? connectionOptions, string name)
    {
        if (connectionOptions is null)
        {
            return false;
        }

        foreach (var range in connectionOptions.AsSpan().Split(','))
        {
            if (SameVariable(connectionOptions.AsSpan()[range].Trim(" \t"), name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNeverPassed(string name)
    {
        foreach (var never in NeverPassed)
        {
            if (SameVariable(never, name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when both header names give the same variable: case and '-' / '_' do not matter.</summary>
    private static bool SameVariable(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (VariableChar(a[i]) != VariableChar(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char VariableChar(char c) => c == '-' ? '_' : char.ToUpperInvariant(c);

    private static string ToVariableName(string header) =>
        string.Create(WagiVariables.HeaderPrefix.Length + header.Length, header, static (span, name) =>
        {
            WagiVariables.HeaderPrefix.CopyTo(span);
            var rest = span[WagiVariables.HeaderPrefix.Length..];
            for (var i = 0; i < name.Length; i++)
            {
                rest[i] = VariableChar(name[i]);
            }
        });
}
