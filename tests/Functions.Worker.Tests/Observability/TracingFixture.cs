using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.Worker.Tests.Observability;

/// <summary>A control plane and a worker, as processes, both exporting their traces to an OTLP receiver in the test.</summary>
public sealed class TracingFixture : IAsyncLifetime
{
    public OtlpReceiver Receiver { get; private set; } = null!;

    public TestPlatform Platform { get; private set; } = null!;

    public HttpClient Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        // The deploy checks would refuse the trap fixture; they are not what is traced here.
        var controlPlane = new Dictionary<string, string>(Receiver.Environment) { ["Functions__DeployChecks__Enabled"] = "false" };
        Platform = await TestPlatform.StartAsync("tracing", workers: 1, workerSettings: Receiver.Environment,
            controlPlaneSettings: controlPlane);
        Worker = new HttpClient { BaseAddress = Platform.Workers[0].Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Worker.Dispose();
        await Platform.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>Deploys hello-c (it prints its environment) at <paramref name="route"/>; returns the generation.</summary>
    public async Task<long> DeployEnvDumpAsync(string app, string route, string? traceParent = null)
    {
        var digest = await Platform.UploadAsync(Fixtures.Bytes("hello-c"));
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"api/v1/apps/{app}", UriKind.Relative))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { routes = new[] { new { route, module = digest } } }),
        };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        using var response = await Platform.Admin.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var generation = System.Text.Json.Nodes.JsonNode.Parse(body)!["generation"]!.GetValue<long>();
        await WaitForGenerationAsync(generation);
        return generation;
    }

    private async Task WaitForGenerationAsync(long generation)
    {
        using var management = new HttpClient { BaseAddress = Platform.Workers[0].Management };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (WorkerFixture.ReadyGeneration(await management.GetStringAsync(new Uri("/readyz", UriKind.Relative))) < generation)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the worker did not apply generation {generation}");
            await Task.Delay(50);
        }
    }

    /// <summary>The <c>NAME=value</c> lines hello-c printed.</summary>
    public static Dictionary<string, string> Environment(string output) =>
        output.Split('\n').Where(l => l.Contains('=', StringComparison.Ordinal)).Select(l => l.Split('=', 2))
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
}
