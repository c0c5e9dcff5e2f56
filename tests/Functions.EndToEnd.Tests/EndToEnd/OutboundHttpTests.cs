using System.Collections.Concurrent;
using Functions.Testing;
using Functions.Testing.Hosts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Functions.EndToEnd.Tests.EndToEnd;

/// <summary>
/// Outbound HTTP (issue 16) on the whole platform as processes: a route's allowedHosts deployed through the API reach
/// the worker, whose function calls a Kestrel server on loopback through wasi_experimental_http.
/// </summary>
public sealed class OutboundHttpTests : IAsyncLifetime
{
    private const int DestinationNotAllowed = 7;

    private WebApplication? _server;
    private string _origin = "";
    private readonly ConcurrentQueue<string> _received = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/greeting", (HttpContext context) =>
        {
            _received.Enqueue(context.Request.Path);
            return Results.Text("hello from kestrel");
        });
        await _server.StartAsync();
        _origin = _server.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_deployed_allow_list_lets_the_function_call_the_host_and_a_redeploy_without_it_gets_the_error_code()
    {
        // The test server is on loopback: the operator's option for private ranges is what lets the worker reach it.
        await using var platform = await TestPlatform.StartAsync("outbound", workers: 1,
            workerSettings: new Dictionary<string, string> { ["Worker__Outbound__AllowPrivateNetworks"] = "true" });
        var module = await platform.UploadAsync(Fixtures.Bytes("outbound"));
        object Route(params string[] allowedHosts) => new
        {
            route = "/call",
            module,
            environment = new Dictionary<string, string> { ["HTTP_URL"] = _origin + "/greeting" },
            allowedHosts,
        };

        // Written as a user might: upper case, a trailing slash; the control plane normalises it.
        await platform.DeployAsync("caller", Route(_origin.ToUpperInvariant() + "/"));
        var allowed = await AnswerAsync(platform, "/call", "status=200");
        Assert.Contains("body=hello from kestrel", allowed, StringComparison.Ordinal);
        Assert.NotEmpty(_received);

        // Release 2 allows nothing: once the worker has it, a call is refused and nothing reaches the server.
        await platform.DeployAsync("caller", Route());
        await AnswerAsync(platform, "/call", $"error={DestinationNotAllowed}");
        var sent = _received.Count;
        await AnswerAsync(platform, "/call", $"error={DestinationNotAllowed}");
        Assert.Equal(sent, _received.Count);

        await platform.RollbackAsync("caller", 1);
        await AnswerAsync(platform, "/call", "status=200");
    }

    [Fact]
    public async Task Without_the_private_ranges_option_an_allowed_loopback_host_is_refused()
    {
        await using var platform = await TestPlatform.StartAsync("outbound-private", workers: 1);
        var module = await platform.UploadAsync(Fixtures.Bytes("outbound"));

        await platform.DeployAsync("caller", new
        {
            route = "/call",
            module,
            environment = new Dictionary<string, string> { ["HTTP_URL"] = _origin + "/greeting" },
            allowedHosts = new[] { _origin },
        });

        await AnswerAsync(platform, "/call", $"error={DestinationNotAllowed}");
        Assert.Empty(_received);
    }

    /// <summary>The worker's answer once it contains <paramref name="expected"/> (a deploy reaches it within seconds).</summary>
    private static async Task<string> AnswerAsync(TestPlatform platform, string path, string expected)
    {
        using var http = new HttpClient { BaseAddress = platform.Workers[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            if (last.Contains(expected, StringComparison.Ordinal))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"{path} never answered with '{expected}'; last answer {last}");
    }
}
