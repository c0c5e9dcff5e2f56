using Functions.Runtime;
using Functions.Runtime.Outbound;
using Functions.Testing;
using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Functions.Worker.Tests;

/// <summary>
/// The worker's outbound HTTP wiring: <c>Worker:Outbound</c> bound to the options, calls through the pooled
/// <c>IHttpClientFactory</c> client, counted by route and outcome in the worker's metrics; against a Kestrel server on loopback.
/// </summary>
public sealed class OutboundHttpHostingTests
{
    [Theory]
    [InlineData("true", "completed")]
    [InlineData("false", "private_address")]
    public async Task Calls_go_through_the_pooled_client_and_are_counted_by_route_and_outcome(string allowPrivate, string outcome)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var server = builder.Build();
        server.Map("/hello", () => Results.Text("hi"));
        await server.StartAsync();
        var origin = $"http://localhost:{new Uri(server.Urls.First()).Port}";

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Worker:Outbound:AllowPrivateNetworks"] = allowPrivate,
            ["Worker:Outbound:MaxResponseBytes"] = "1000",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(_ => new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()));
        services.AddOutboundHttp(configuration);
        await using var provider = services.BuildServiceProvider();
        var calls = provider.GetRequiredService<OutboundCalls>();
        Assert.Equal(1000, calls.Options.MaxResponseBytes);

        var cache = Directory.CreateTempSubdirectory("functions-outbound-worker-").FullName;
        try
        {
            using var runtime = new WasmRuntime(new RuntimeOptions { CacheDirectory = cache }, outbound: calls);
            var module = runtime.LoadOrCompile("fixture:outbound", Fixtures.Bytes("outbound"));
            var settings = new FunctionSettings { Name = "shop/call#_start", Outbound = new OutboundHttpSettings { AllowedHosts = [origin] } };
            var result = await runtime.RunOnceAsync(module, settings,
                new Invocation([new("HTTP_URL", origin + "/hello")], ["/"], ReadOnlyMemory<byte>.Empty) { RequestId = "r1" });

            Assert.Contains(outcome == "completed" ? "body=hi\n" : "error=7\n", System.Text.Encoding.UTF8.GetString(result.Stdout.Span));
            var metrics = provider.GetRequiredService<WorkerMetrics>();
            Assert.Equal(1, metrics.OutboundRequests.WithLabels("shop/call#_start", outcome).Value);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
