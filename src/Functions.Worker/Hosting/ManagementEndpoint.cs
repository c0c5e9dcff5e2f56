using Microsoft.AspNetCore.Http;

namespace Functions.Worker.Hosting;

/// <summary>
/// Where the worker's own endpoints (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>) answer: ports apart from the
/// invocation ports (<c>Worker:ManagementUrls</c>), so every path on the invocation port is a function's and the
/// route labels in <c>/metrics</c> stay off the public address. Requests are told apart by the local port of their
/// connection, which a client cannot choose (unlike the Host header).
/// </summary>
public sealed class ManagementEndpoint
{
    public const string Key = $"{WorkerOptions.Section}:{nameof(WorkerOptions.ManagementUrls)}";

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
    /// Makes Kestrel listen on the invocation URLs the host was given (<c>urls</c>, else <c>http_ports</c> /
    /// <c>https_ports</c>, else Kestrel's default) plus the management URLs; fails start-up with what to fix when the
    /// management URLs are not explicit ports apart from the invocation ones.
    /// </summary>
    public static ManagementEndpoint Listen(WebApplicationBuilder builder)
    {
        var invocation = InvocationUrls(builder.WebHost);
        var urls = Split(builder.Configuration[Key] ?? WorkerOptions.DefaultManagementUrls);
        if (urls.Count == 0)
        {
            throw new InvalidOperationException($"{Key} (env Worker__ManagementUrls) is empty: set it to where /healthz, /readyz and /metrics answer, e.g. {WorkerOptions.DefaultManagementUrls}.");
        }

        var ports = new HashSet<int>();
        foreach (var url in urls)
        {
            var port = PortOf(url, Key);
            if (port == 0)
            {
                throw new InvalidOperationException($"{Key} '{url}' has no fixed port: give one (e.g. {WorkerOptions.DefaultManagementUrls}), so probes and scrapers know where to ask.");
            }

            ports.Add(port);
        }

        foreach (var url in invocation)
        {
            if (ports.Contains(PortOf(url, "urls")))
            {
                throw new InvalidOperationException($"The invocation URL '{url}' and {Key} share port {PortOf(url, "urls")}: give the management endpoints a port of their own (env Worker__ManagementUrls).");
            }
        }

        builder.WebHost.UseUrls([.. invocation, .. urls]);
        return new ManagementEndpoint(urls, ports);
    }

    private static List<string> InvocationUrls(ConfigureWebHostBuilder host)
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

    private static int PortOf(string url, string setting)
    {
        try
        {
            return BindingAddress.Parse(url).Port;
        }
        catch (FormatException error)
        {
            throw new InvalidOperationException($"{setting} '{url}' is not a URL such as http://127.0.0.1:9090: {error.Message}", error);
        }
    }

    private static List<string> Split(string? value) =>
        [.. (value ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
