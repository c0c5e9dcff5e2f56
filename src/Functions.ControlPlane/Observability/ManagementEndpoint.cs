using Microsoft.AspNetCore.Http;

namespace Functions.ControlPlane.Observability;

/// <summary>
/// Where the control plane answers <c>/metrics</c>: ports apart from the API's (<c>Functions:ManagementUrls</c>), as
/// the worker does, so the scrape (app names, endpoint latencies) stays off the API's address and needs no API key.
/// Requests are told apart by the local port of their connection, which a client cannot choose (unlike the Host header).
/// </summary>
public sealed class ManagementEndpoint
{
    public const string Key = "Functions:ManagementUrls";
    public const string DefaultUrls = "http://127.0.0.1:9091";

    private readonly HashSet<int> _ports;

    private ManagementEndpoint(IReadOnlyList<string> urls, HashSet<int> ports)
    {
        Urls = urls;
        _ports = ports;
    }

    public IReadOnlyList<string> Urls { get; }

    /// <summary>Whether a request came in on a management port.</summary>
    public bool Serves(HttpContext context) => _ports.Contains(context.Connection.LocalPort);

    /// <summary>
    /// Makes Kestrel listen on the API's URLs (<c>urls</c>, else <c>http_ports</c> / <c>https_ports</c>, else Kestrel's
    /// default) plus the management URLs; fails start-up with what to fix when these are not fixed ports of their own.
    /// </summary>
    public static ManagementEndpoint Listen(WebApplicationBuilder builder)
    {
        var api = ApiUrls(builder.WebHost);
        var urls = Split(builder.Configuration[Key] ?? DefaultUrls);
        if (urls.Count == 0)
        {
            throw new InvalidOperationException($"{Key} (env Functions__ManagementUrls) is empty: set it to where /metrics answers, e.g. {DefaultUrls}.");
        }

        var ports = new HashSet<int>();
        foreach (var url in urls)
        {
            var port = PortOf(url, Key);
            if (port == 0)
            {
                throw new InvalidOperationException($"{Key} '{url}' has no fixed port: give one (e.g. {DefaultUrls}), so scrapers know where to ask.");
            }

            ports.Add(port);
        }

        foreach (var url in api)
        {
            if (ports.Contains(PortOf(url, "urls")))
            {
                throw new InvalidOperationException($"The API URL '{url}' and {Key} share port {PortOf(url, "urls")}: give /metrics a port of its own (env Functions__ManagementUrls).");
            }
        }

        builder.WebHost.UseUrls([.. api, .. urls]);
        return new ManagementEndpoint(urls, ports);
    }

    private static List<string> ApiUrls(ConfigureWebHostBuilder host)
    {
        var urls = Split(host.GetSetting(WebHostDefaults.ServerUrlsKey));
        if (urls.Count > 0)
        {
            return urls;
        }

        urls = [.. Split(host.GetSetting(WebHostDefaults.HttpPortsKey)).Select(port => $"http://*:{port}"),
            .. Split(host.GetSetting(WebHostDefaults.HttpsPortsKey)).Select(port => $"https://*:{port}")];
        return urls.Count > 0 ? urls : ["http://localhost:5000"];
    }

    private static int PortOf(string url, string setting)
    {
        try
        {
            return Microsoft.AspNetCore.Http.BindingAddress.Parse(url).Port;
        }
        catch (FormatException error)
        {
            throw new InvalidOperationException($"{setting} '{url}' is not a URL such as {DefaultUrls}: {error.Message}", error);
        }
    }

    private static List<string> Split(string? value) =>
        [.. (value ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
