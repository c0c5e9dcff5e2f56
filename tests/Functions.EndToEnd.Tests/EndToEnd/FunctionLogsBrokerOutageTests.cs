using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.EndToEnd.Tests.EndToEnd;

/// <summary>
/// Function logs are best effort: with the broker stopped, invocations go on being answered while their records are
/// dropped and counted, and once the broker is back records flow again.
/// </summary>
public sealed class FunctionLogsBrokerOutageTests : IAsyncLifetime
{
    private DedicatedBroker? _broker;
    private TestPlatform? _platform;

    public async Task InitializeAsync()
    {
        if (!DedicatedBroker.Available)
        {
            return;
        }

        _broker = await DedicatedBroker.StartAsync();
        try
        {
            _platform = await TestPlatform.StartAsync("logsoutage", workers: 1, _broker.Endpoint, new Dictionary<string, string>
            {
                ["Worker__Logs__QueueCapacity"] = "32",
                ["Worker__Logs__PublishTimeout"] = "00:00:00.500",
                ["Worker__Logs__RecordsPerSecond"] = "100000",
                ["Worker__Logs__Burst"] = "100000",
            });
        }
        catch
        {
            await _broker.DisposeAsync();
            _broker = null;
            throw;
        }
    }

    [SkippableFact]
    public async Task A_stopped_broker_never_fails_an_invocation_its_records_are_dropped_and_counted_and_flow_again_after()
    {
        Skip.If(_platform is null, "This test runs a RabbitMQ node of its own with deploy/local/services.sh: it needs root and the rabbitmq-server package.");
        var platform = _platform!;
        var module = await platform.UploadAsync(Fixtures.Bytes("stderr"));
        await platform.DeployAsync("noisy", new { route = "/noisy", module, environment = new Dictionary<string, string> { ["STDERR_LINES"] = "20" } });
        using var worker = new HttpClient { BaseAddress = platform.Workers[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        await ServedAsync(worker);
        var before = await InvokeAsync(worker);
        await RecordsArriveAsync(platform, before);

        await _broker!.StopAsync(CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await InvokeAsync(worker); // 20 lines each against a queue of 32: most records are dropped, no request waits
        }

        using var management = new HttpClient { BaseAddress = platform.Workers[0].Management };
        var metrics = await management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var dropped = Sum(metrics, "functions_log_records_dropped_total{route=\"/noisy\",reason=\"queue_full\"}")
            + Sum(metrics, "functions_log_records_dropped_total{route=\"/noisy\",reason=\"broker\"}");
        // All but what the queue and the one publish in flight hold.
        Assert.True(dropped >= 100 * 20 - 32 - 32, $"dropped {dropped}\n{metrics}");

        await _broker.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var after = await InvokeAsync(worker);
            await Task.Delay(1000);
            if ((await RecordsAsync(platform, after)).Count == 20)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"records did not flow again after the broker came back\n{platform.Workers[0].RecentOutput}");
        }
    }

    private static async Task ServedAsync(HttpClient worker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await worker.GetAsync(new Uri("/noisy", UriKind.Relative))).IsSuccessStatusCode)
        {
            Assert.True(DateTime.UtcNow < deadline, "/noisy is not served");
            await Task.Delay(100);
        }
    }

    private static async Task<string> InvokeAsync(HttpClient worker)
    {
        using var response = await worker.GetAsync(new Uri("/noisy", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Request-Id").Single();
    }

    private static async Task RecordsArriveAsync(TestPlatform platform, string requestId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await RecordsAsync(platform, requestId)).Count < 20)
        {
            Assert.True(DateTime.UtcNow < deadline, $"records of {requestId} did not arrive");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonArray> RecordsAsync(TestPlatform platform, string requestId)
    {
        try
        {
            var body = await platform.Admin.GetStringAsync(new Uri($"api/v1/apps/noisy/logs?requestId={requestId}", UriKind.Relative));
            return JsonNode.Parse(body)!["items"]!.AsArray();
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    private static double Sum(string metrics, string series) =>
        metrics.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(series.Length + 1)..], CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
