using Functions.Cli.Tests.Support;
using Functions.Contracts;
using Functions.Testing;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>A worker that could not apply one app: status shows that app's error alone; workers lists the app.</summary>
public sealed class StatusAppFailureTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Status_wait_fails_with_the_apps_own_error_and_another_app_on_that_worker_shows_applied()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        var healthy = await platform.RunAsync("deploy", module, "--app", "fine", "--route", "/fine", "--json");
        var broken = await platform.RunAsync("deploy", module, "--app", "isolated", "--route", "/isolated", "--json");
        Assert.True(healthy.ExitCode == ExitCodes.Success && broken.ExitCode == ExitCodes.Success, broken.ToString());
        var generation = broken.Json().GetProperty("generation").GetInt64();
        await platform.HeartbeatAsync("worker-iso", generation,
            failedApps: [new AppFailure("isolated", 1, "the volume /data maps the host directory /srv/data, which does not exist")]);

        var run = await platform.RunAsync("status", "isolated", "--wait", "--timeout", "30s");
        var other = await platform.RunAsync("status", "fine", "--wait", "--timeout", "30s");
        var workers = await platform.RunAsync("workers");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Matches(@"(?m)^worker-iso\s+failed\s+yes\s+\d+\s+\d+s ago\s+the volume /data maps the host directory /srv/data, which does not exist$", run.Out);
        Assert.True(other.ExitCode == ExitCodes.Success, other.ToString());
        Assert.Matches(@"(?m)^worker-iso\s+applied\s", other.Out);
        Assert.Matches(@"(?m)^worker-iso\s+ready\s.*app isolated release 1: the volume /data maps", workers.Out);
    }
}
