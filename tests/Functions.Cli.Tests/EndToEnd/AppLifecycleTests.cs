using System.Text.Json;
using Functions.Cli.Tests.Support;
using Functions.Testing;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>apps, releases, rollback, delete and modules against the real control plane.</summary>
public sealed class AppLifecycleTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Releases_rollback_and_delete_follow_an_application_through_its_life()
    {
        var module = folder.Copy(Fixtures.Path("multi"), "multi.wasm");
        await DeployAsync(module, "life", "/life", "ep1");
        await DeployAsync(module, "life", "/life", "ep2");

        var releases = await Ok("releases", "life", "--json");
        Assert.Equal(
            [(2, true), (1, false)],
            releases.EnumerateArray().Select(r => (r.GetProperty("version").GetInt32(), r.GetProperty("active").GetBoolean())));

        var rollback = await Ok("rollback", "life", "1", "--json");
        Assert.Equal(1, rollback.GetProperty("version").GetInt32());
        var app = await Ok("apps", "life", "--json");
        Assert.Equal(1, app.GetProperty("activeRelease").GetProperty("version").GetInt32());
        Assert.Equal("ep1", app.GetProperty("activeRelease").GetProperty("routes")[0].GetProperty("entrypoint").GetString());
        var release2 = await Ok("releases", "life", "2", "--json");
        Assert.Equal("ep2", release2.GetProperty("routes")[0].GetProperty("entrypoint").GetString());
        Assert.Contains(
            "life",
            (await Ok("apps", "--json")).EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        var deleted = await platform.RunAsync("delete", "life");
        Assert.True(deleted.ExitCode == ExitCodes.Success, deleted.ToString());
        Assert.DoesNotContain(
            "life",
            (await Ok("apps", "--json")).EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        var gone = await platform.RunAsync("apps", "life");
        Assert.Equal(ExitCodes.Failed, gone.ExitCode);
        Assert.Contains("error: Application not found (404)", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Human_output_shows_the_active_release_and_its_routes()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        await DeployAsync(module, "tables", "/tables", null);

        var apps = await platform.RunAsync("apps");
        var app = await platform.RunAsync("apps", "tables");

        Assert.Matches(@"(?m)^NAME\s+RELEASE\s+GENERATION\s+ACTIVATED$", apps.Out);
        Assert.Matches(@"(?m)^tables\s+1\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", apps.Out);
        Assert.Contains("Application 'tables': release 1 active since", app.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^/tables\s+sha256:[0-9a-f]{12}\s+_start\s+30s 128MB body≤10 MiB ×64\s+-$", app.Out);
    }

    [Fact]
    public async Task Modules_rm_takes_a_short_digest_and_is_refused_while_a_release_uses_the_module()
    {
        var module = folder.Copy(Fixtures.Path("counter"), "counter.wasm");
        var deploy = await DeployAsync(module, "removal", "/removal", null);
        var digest = deploy.GetProperty("modules")[0].GetProperty("digest").GetString()!;
        var shortDigest = digest[..19];
        Assert.Contains(digest, (await Ok("modules", "--json")).EnumerateArray().Select(m => m.GetProperty("digest").GetString()));

        var inUse = await platform.RunAsync("modules", "rm", shortDigest);
        Assert.Equal(ExitCodes.Failed, inUse.ExitCode);
        Assert.Contains("error: The module is in use (409)", inUse.Error, StringComparison.Ordinal);
        Assert.Contains("app 'removal' route '/removal'", inUse.Error, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Success, (await platform.RunAsync("delete", "removal")).ExitCode);
        var removed = await platform.RunAsync("modules", "rm", shortDigest, "--json");

        Assert.True(removed.ExitCode == ExitCodes.Success, removed.ToString());
        Assert.Equal(digest, removed.Json().GetProperty("name").GetString());
        Assert.DoesNotContain(digest, (await Ok("modules", "--json")).EnumerateArray().Select(m => m.GetProperty("digest").GetString()));
        var unknown = await platform.RunAsync("modules", "rm", shortDigest);
        Assert.Contains("No uploaded module's digest starts with", unknown.Error, StringComparison.Ordinal);
    }

    private async Task<JsonElement> DeployAsync(string module, string app, string route, string? entrypoint)
    {
        string[] args = entrypoint is null
            ? ["deploy", module, "--app", app, "--route", route, "--json"]
            : ["deploy", module, "--app", app, "--route", route, "--entrypoint", entrypoint, "--json"];
        var run = await platform.RunAsync(args);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        return run.Json();
    }

    private async Task<JsonElement> Ok(params string[] args)
    {
        var run = await platform.RunAsync(args);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        return run.Json();
    }
}
