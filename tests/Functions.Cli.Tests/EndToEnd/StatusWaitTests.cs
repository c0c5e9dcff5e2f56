using Functions.Cli.Tests.Support;
using Functions.Testing;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>
/// status and workers, with worker nodes reporting through the workers' own heartbeat API. Workers are global to a
/// control plane, so this class has its own (one story per class).
/// </summary>
public sealed class StatusWaitTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Status_wait_returns_once_every_live_worker_applied_the_release_and_times_out_before()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        var deploy = await platform.RunAsync("deploy", module, "--app", "rollout", "--route", "/rollout", "--json");
        Assert.True(deploy.ExitCode == ExitCodes.Success, deploy.ToString());
        var generation = deploy.Json().GetProperty("generation").GetInt64();

        var noWorkers = await platform.RunAsync("status", "rollout", "--wait", "--timeout", "200ms");
        Assert.Equal(ExitCodes.TimedOut, noWorkers.ExitCode);
        Assert.Contains("no live workers", noWorkers.Error, StringComparison.Ordinal);
        Assert.Contains("./deploy/run.sh", noWorkers.Error, StringComparison.Ordinal);

        await platform.HeartbeatAsync("worker-a", generation);
        await platform.HeartbeatAsync("worker-b", generation - 1);
        var pending = await platform.RunAsync("status", "rollout", "--wait", "--timeout", "300ms", "--json");
        Assert.Equal(ExitCodes.TimedOut, pending.ExitCode);
        var document = pending.Json();
        Assert.Equal(("pending", true), (document.GetProperty("state").GetString(), document.GetProperty("timedOut").GetBoolean()));
        Assert.Contains("pending: worker-b", pending.Error, StringComparison.Ordinal);

        // The worker catches up while the CLI waits.
        var waiting = platform.RunAsync("status", "rollout", "--wait", "--timeout", "30s");
        await Task.Delay(200);
        await platform.HeartbeatAsync("worker-b", generation);
        var applied = await waiting;

        Assert.True(applied.ExitCode == ExitCodes.Success, applied.ToString());
        Assert.Contains("waiting: pending, 1 of 2 live workers serve it; pending: worker-b", applied.Error, StringComparison.Ordinal);
        Assert.Contains($"release 1 (generation {generation}): complete, 2 of 2 live workers serve it", applied.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^worker-a\s+applied\s+yes\s+\d+\s+\d+s ago$", applied.Out);

        var workers = await platform.RunAsync("workers", "--json");
        Assert.True(workers.ExitCode == ExitCodes.Success, workers.ToString());
        Assert.Equal(
            [("worker-a", "ready"), ("worker-b", "ready")],
            workers.Json().GetProperty("workers").EnumerateArray().Select(w => (w.GetProperty("nodeId").GetString(), w.GetProperty("state").GetString())));
    }
}
