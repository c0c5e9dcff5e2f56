using Functions.Cli.Tests.Support;
using Functions.Testing;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>status --wait when a worker cannot apply the release: it stops waiting and shows the worker's error.</summary>
public sealed class StatusFailureTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Status_wait_fails_at_once_with_the_error_a_live_worker_reported()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        var deploy = await platform.RunAsync("deploy", module, "--app", "doomed", "--route", "/doomed", "--json");
        Assert.True(deploy.ExitCode == ExitCodes.Success, deploy.ToString());
        var generation = deploy.Json().GetProperty("generation").GetInt64();
        await platform.HeartbeatAsync("worker-ok", generation);
        await platform.HeartbeatAsync("worker-sick", generation - 1, failed: generation, error: "compiling sha256:ab… failed: out of disk");

        var run = await platform.RunAsync("status", "doomed", "--wait", "--timeout", "30s");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("failed, 1 of 2 live workers serve it; failed: worker-sick", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^worker-sick\s+failed\s+yes\s+\d+\s+\d+s ago\s+compiling sha256:ab… failed: out of disk$", run.Out);
        Assert.Contains("functions rollback doomed VERSION", run.Error, StringComparison.Ordinal);

        var plain = await platform.RunAsync("status", "doomed");
        Assert.Equal(ExitCodes.Success, plain.ExitCode);
    }
}
