using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Functions.Hosting;

/// <summary>
/// Where a host's own endpoints (<c>/metrics</c>, the worker's probes) answer: ports apart from the ones it serves
/// (the API, invocations), so those stay off the public address and need no API key. Requests are told apart by the
/// local port of their connection, which a client cannot choose (unlike the Host header).
/// </summary>
public sealed class ManagementEndpoint
{
    private readonly HashSet<int> _ports;

    private ManagementEndpoint(IReadOnlyList<string> urls, HashSet<int> ports)
    {
        Urls = urls;
        _ports = ports;
    }

    public IReadOnlyList<string> Urls { get; }

    public IReadOnlySet<int> Ports => _ports;

    /// <summary>Whether a request came in on a management port.</summary>
    public bool Serves(HttpContext context) => _ports.Contains(context.Connection.LocalPort);

    /// <summary>
    /// Makes Kestrel listen on the URLs the host was given (<c>urls</c>, else <c>http_ports</c> / <c>https_ports</c>,
    /// else Kestrel's default) plus the management URLs; fails start-up with what to fix when the management URLs are
    /// not fixed ports apart from the others.
    /// </summary>
    public static ManagementEndpoint Listen(WebApplicationBuilder builder, ManagementSetting setting)
    {
        var key = setting.Key;
        var others = OtherUrls(builder.WebHost);
        var urls = Split(builder.Configuration[key] ?? setting.DefaultUrls);
        if (urls.Count == 0)
        {
            throw new InvalidOperationException($"{key} (env {setting.EnvironmentVariable}) is empty: set it to where {setting.Answers}, e.g. {setting.DefaultUrls}.");
        }

        var ports = new HashSet<int>();
        foreach (var url in urls)
        {
            var port = PortOf(url, key, setting);
            if (port == 0)
            {
                throw new InvalidOperationException($"{key} '{url}' has no fixed port: give one (e.g. {setting.DefaultUrls}), so {setting.AskedBy} know where to ask.");
            }

            ports.Add(port);
        }

        foreach (var url in others)
        {
            if (ports.Contains(PortOf(url, "urls", setting)))
            {
                throw new InvalidOperationException($"The {setting.OtherUrls} URL '{url}' and {key} share port {PortOf(url, "urls", setting)}: {setting.OwnPort} (env {setting.EnvironmentVariable}).");
            }
        }

        builder.WebHost.UseUrls([.. others, .. urls]);
        return new ManagementEndpoint(urls, ports);
    }

    private static List<string> OtherUrls(ConfigureWebHostBuilder host)
    {
        var urls = Split(host.GetSetting(WebHostDefaults.ServerUrlsKey));
        if (urls.Count > 0)
        {
            return urls;
        }

        // The forms Kestrel reads when no URLs are set, turned into URLs since the management ones are added to them.
        urls = [.. Split(host.GetSetting(WebHostDefaults.HttpPortsKey)).Select(port => $"http://*:{port}"),
            .. Split(host.GetSetting(WebHostDefaults.HttpsPortsKey)).Select(port => $"https://*:{port}")];
        return urls.Count > 0 ? urls : ["http://localhost:5000"];
    }

    private static int PortOf(string url, string key, ManagementSetting setting)
    {
        try
        {
            return BindingAddress.Parse(url).Port;
        }
        catch (FormatException error)
        {
            throw new InvalidOperationException($"{key} '{url}' is not a URL such as {setting.DefaultUrls}: {error.Message}", error);
        }
    }

    private static List<string> Split(string? value) =>
        [.. (value ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
