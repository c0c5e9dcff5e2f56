using System.CommandLine;
using System.Net.Http.Headers;
using System.Reflection;
using Functions.Cli.Api;
using Functions.Cli.Output;

namespace Functions.Cli;

/// <summary>One command's run: its output and, made on first use, the client for the control plane.</summary>
internal sealed class CliContext(CliHost host, CliOutput output, Uri url, string? key) : IDisposable
{
    private HttpClient? http;
    private ApiClient? api;

    public CliHost Host { get; } = host;

    public CliOutput Output { get; } = output;

    public Uri Url { get; } = url;

    /// <summary>The admin key, from <c>--key</c> or <c>FUNCTIONS_ADMIN_KEY</c>; null when neither is set.</summary>
    public string? Key { get; } = key;

    public ApiClient Api => api ??= CreateApi();

    public static CliContext Create(CliHost host, GlobalOptions globals, ParseResult parse, CliOutput output)
    {
        var text = NonEmpty(parse.GetValue(globals.Url)) ?? NonEmpty(host.Environment(GlobalOptions.UrlVariable)) ?? GlobalOptions.DefaultUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new CliException(
                $"'{text}' is not the control plane's address: give an http(s) URL such as {GlobalOptions.DefaultUrl} " +
                $"(--url or {GlobalOptions.UrlVariable}).");
        }

        // A trailing slash keeps a path prefix (a control plane behind a proxy at /functions) when paths are appended.
        if (!url.AbsolutePath.EndsWith('/'))
        {
            url = new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
        }

        var key = NonEmpty(parse.GetValue(globals.Key)) ?? NonEmpty(host.Environment(GlobalOptions.KeyVariable));
        return new CliContext(host, output, url, key);
    }

    public void Dispose() => http?.Dispose();

    private ApiClient CreateApi()
    {
        http = Host.Handler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) });
        http.BaseAddress = Url;
        http.Timeout = Timeout.InfiniteTimeSpan; // the client applies its own, except to uploads
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("functions-cli", Version));
        if (Key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        }

        return new ApiClient(http, Url);
    }

    private static string Version =>
        typeof(CliContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
