using System.Net;
using Functions.Testing;
using Functions.Testing.Hosts;

namespace Functions.EndToEnd.Tests.EndToEnd;

/// <summary>
/// The whole platform as processes: a control plane and three workers on a broker of the test's own. Every step
/// asserts what each worker answers, not what the control plane says.
/// </summary>
public sealed class DeploymentLifecycleTests : IAsyncLifetime
{
    private DedicatedBroker? _broker;
    private TestPlatform? _platform;
    private HttpClient[] _workers = [];

    public async Task InitializeAsync()
    {
        if (!DedicatedBroker.Available)
        {
            return;
        }

        _broker = await DedicatedBroker.StartAsync();
        try
        {
            // A long periodic check: convergence in these tests comes from the doorbell and from reconnecting to the broker.
            _platform = await TestPlatform.StartAsync("e2e", workers: 3, _broker.Endpoint,
                new Dictionary<string, string> { ["Worker__PollInterval"] = "00:05:00" });
        }
        catch
        {
            // xunit does not call DisposeAsync when InitializeAsync fails: without this the broker node outlives the run.
            await _broker.DisposeAsync();
            _broker = null;
            throw;
        }

        _workers = [.. _platform.Workers.Select(w => new HttpClient { BaseAddress = w.Address, Timeout = TimeSpan.FromSeconds(30) })];
    }

    [SkippableFact]
    public async Task Deploy_update_roll_back_delete_and_deploy_through_a_broker_outage_reach_every_worker()
    {
        Skip.If(_platform is null, "This test runs a RabbitMQ node of its own with deploy/local/services.sh: it needs root and the rabbitmq-server package (./deploy/test.sh installs it).");
        var platform = _platform!;
        var module = await platform.UploadAsync(Fixtures.Bytes("hello-c"));
        object Release(string marker) => new { route = "/shop/...", module, environment = new Dictionary<string, string> { ["RELEASE"] = marker } };

        await platform.DeployAsync("shop", Release("one"));
        await EveryWorkerAnswers("/shop/cart", "RELEASE=one");

        await platform.DeployAsync("shop", Release("two"));
        await EveryWorkerAnswers("/shop/cart", "RELEASE=two");

        await platform.RollbackAsync("shop", 1);
        await EveryWorkerAnswers("/shop/cart", "RELEASE=one");

        await platform.DeleteAppAsync("shop");
        await EveryWorkerAnswers("/shop/cart", status: HttpStatusCode.NotFound);

        await _broker!.StopAsync(CancellationToken.None);
        await platform.DeployAsync("shop", Release("three"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await _broker.StartAsync(CancellationToken.None);
        await EveryWorkerAnswers("/shop/cart", "RELEASE=three", within: TimeSpan.FromSeconds(90));
    }

    private async Task EveryWorkerAnswers(string path, string? contains = null, HttpStatusCode status = HttpStatusCode.OK, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        foreach (var (worker, index) in _workers.Select((w, i) => (w, i)))
        {
            string last = "";
            while (true)
            {
                try
                {
                    using var response = await worker.GetAsync(new Uri(path, UriKind.Relative));
                    var body = await response.Content.ReadAsStringAsync();
                    last = $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 200)]}";
                    if (response.StatusCode == status && (contains is null || body.Contains(contains, StringComparison.Ordinal)))
                    {
                        break;
                    }
                }
                catch (HttpRequestException error)
                {
                    last = error.Message;
                }

                Assert.True(DateTime.UtcNow < deadline,
                    $"worker {index + 1} did not answer {path} with {(int)status} {contains} in time; last answer {last}\n{_platform!.Workers[index].RecentOutput}");
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

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
