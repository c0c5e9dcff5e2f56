using System.Text.RegularExpressions;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>The few things the tests read from an nginx configuration: upstreams, proxy_pass targets, listen ports.</summary>
internal sealed partial record NginxConfig(
    IReadOnlyDictionary<string, IReadOnlyList<(string Host, int Port)>> Upstreams,
    IReadOnlyList<string> ProxyPasses,
    IReadOnlyList<(string? Address, int Port)> Listens)
{
    public static NginxConfig Parse(string text)
    {
        var withoutComments = string.Join('\n', text.Split('\n').Select(line => line.Split('#')[0]));
        var upstreams = Upstream().Matches(withoutComments).ToDictionary(
            match => match.Groups["name"].Value,
            match => (IReadOnlyList<(string, int)>)[.. Server().Matches(match.Groups["body"].Value)
                .Select(server => (server.Groups["host"].Value, int.Parse(server.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)))],
            StringComparer.Ordinal);
        var proxyPasses = ProxyPass().Matches(withoutComments).Select(match => match.Groups[1].Value).ToList();
        var listens = Listen().Matches(withoutComments).Select(match => (
            match.Groups["address"].Success ? match.Groups["address"].Value : null,
            int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        return new NginxConfig(upstreams, proxyPasses, listens);
    }

    [GeneratedRegex(@"\bupstream\s+(?<name>[\w.-]+)\s*\{(?<body>[^}]*)\}")]
    private static partial Regex Upstream();

    [GeneratedRegex(@"^\s*server\s+(?<host>[\w.-]+):(?<port>\d+)\b[^;]*;", RegexOptions.Multiline)]
    private static partial Regex Server();

    [GeneratedRegex(@"\bproxy_pass\s+https?://([\w.-]+)")]
    private static partial Regex ProxyPass();

    [GeneratedRegex(@"\blisten\s+(?:(?<address>[\d.]+):)?(?<port>\d+)\b[^;]*;")]
    private static partial Regex Listen();
}
