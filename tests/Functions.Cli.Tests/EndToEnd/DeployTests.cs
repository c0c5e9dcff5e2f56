using System.Security.Cryptography;
using Functions.Cli.Output;
using Functions.Cli.Tests.Support;
using Functions.Testing;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>deploy and import-wagi against the real control plane (Postgres, RabbitMQ), checked through its API.</summary>
public sealed class DeployTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Deploying_one_module_uploads_it_and_activates_release_1_with_its_settings()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");

        var run = await platform.RunAsync("deploy", module, "--app", "solo", "--route", "/solo", "--env", "GREETING=hi there", "--entrypoint", "_start");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("Deployed application 'solo': release 1", run.Out, StringComparison.Ordinal);
        Assert.Contains("hello.wasm: uploaded", run.Error, StringComparison.Ordinal);
        var route = (await platform.GetJsonAsync("/api/v1/apps/solo")).GetProperty("activeRelease").GetProperty("routes")[0];
        Assert.Equal("/solo", route.GetProperty("route").GetString());
        Assert.Equal(Digest(module), route.GetProperty("module").GetString());
        Assert.Equal("_start", route.GetProperty("entrypoint").GetString());
        Assert.Equal("hi there", route.GetProperty("environment").GetProperty("GREETING").GetString());
    }

    [Fact]
    public async Task Deploying_the_same_bytes_again_sends_nothing_and_makes_the_next_release()
    {
        var module = folder.Copy(Fixtures.Path("multi"), "multi.wasm");
        var first = await platform.RunAsync("deploy", module, "--app", "again", "--route", "/again", "--json");
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());

        var second = await platform.RunAsync("deploy", module, "--app", "again", "--route", "/again", "--entrypoint", "ep1", "--json");

        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        var json = second.Json();
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        var upload = Assert.Single(json.GetProperty("modules").EnumerateArray());
        Assert.False(upload.GetProperty("uploaded").GetBoolean());
        Assert.Equal(Digest(module), upload.GetProperty("digest").GetString());
        Assert.True(first.Json().GetProperty("modules")[0].GetProperty("uploaded").GetBoolean());
        Assert.Empty(second.Error);
    }

    [Fact]
    public async Task A_toml_manifest_deploys_every_route_with_paths_relative_to_it()
    {
        Directory.CreateDirectory(Path.Combine(platform.Volumes.Path, "shop", "static"));
        var echo = folder.Copy(Fixtures.Path("echo"), "app/build/echo.wasm");
        folder.Copy(Fixtures.Path("args"), "app/build/args.wasm");
        var manifest = folder.Write("app/functions.toml", """
            app = "shop"

            [[routes]]
            route = "/shop/echo"
            module = "build/echo.wasm"
            environment = { MODE = "prod" }
            volumes = { "/static" = "shop/static" }
            limits = { timeoutMs = 5000, memoryMb = 64, maxConcurrency = 8 }

            [[routes]]
            route = "/shop/args/..."
            module = "build/args.wasm"
            argv = "${SCRIPT_NAME} ${ARGS}"
            """);

        var run = await platform.RunAsync("deploy", manifest);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var routes = (await platform.GetJsonAsync("/api/v1/apps/shop")).GetProperty("activeRelease").GetProperty("routes");
        Assert.Equal(2, routes.GetArrayLength());
        var first = routes[0];
        Assert.Equal(Digest(echo), first.GetProperty("module").GetString());
        Assert.Equal("prod", first.GetProperty("environment").GetProperty("MODE").GetString());
        Assert.Equal("/static", first.GetProperty("volumes")[0].GetProperty("guestPath").GetString());
        Assert.False(first.GetProperty("volumes")[0].GetProperty("writable").GetBoolean());
        var limits = first.GetProperty("limits");
        Assert.Equal((5000, 64, 8), (limits.GetProperty("timeoutMs").GetInt32(), limits.GetProperty("memoryMb").GetInt32(), limits.GetProperty("maxConcurrency").GetInt32()));
        Assert.Equal("${SCRIPT_NAME} ${ARGS}", routes[1].GetProperty("argv").GetString());
    }

    [Fact]
    public async Task Validation_errors_say_which_route_and_where_it_was_declared()
    {
        folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        var manifest = folder.Write("app.json", """
            { "app": "broken", "routes": [ { "route": "/broken", "module": "hello.wasm", "entrypoint": "nope" } ] }
            """);

        var run = await platform.RunAsync("deploy", manifest);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("error: The request is not valid (400)", run.Error, StringComparison.Ordinal);
        Assert.Contains("routes[0] (route '/broken').entrypoint: The module does not export a function 'nope'", run.Error, StringComparison.Ordinal);
        Assert.Equal(404, await platform.StatusOfAsync("/api/v1/apps/broken"));
    }

    [Fact]
    public async Task A_route_another_app_serves_is_refused_with_the_control_planes_explanation()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        var first = await platform.RunAsync("deploy", module, "--app", "owner", "--route", "/taken");
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());

        var run = await platform.RunAsync("deploy", module, "--app", "squatter", "--route", "/taken", "--json");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        var error = run.Json().GetProperty("error");
        Assert.Equal(("api", 409), (error.GetProperty("kind").GetString(), error.GetProperty("status").GetInt32()));
        Assert.Contains("owner", run.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Import_wagi_deploys_the_corpus_entrypoint_map_as_one_app_uploading_its_module_once()
    {
        var toml = RepoPaths.RequireCorpus("wagi", "test3.toml");

        var run = await platform.RunAsync("import-wagi", toml, "--app", "wagi-eps", "--json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var json = run.Json();
        Assert.Equal(1, json.GetProperty("release").GetProperty("version").GetInt32());
        Assert.Single(json.GetProperty("modules").EnumerateArray());
        Assert.Empty(json.GetProperty("unsupported").EnumerateArray());
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
        var routes = (await platform.GetJsonAsync("/api/v1/apps/wagi-eps")).GetProperty("activeRelease").GetProperty("routes");
        Assert.Equal(
            [("/defaultep", "_start"), ("/ep1", "ep1"), ("/ep2", "ep2")],
            routes.EnumerateArray().Select(r => (r.GetProperty("route").GetString(), r.GetProperty("entrypoint").GetString())));
        Assert.Equal(
            Digest(Path.Combine(Path.GetDirectoryName(toml)!, "multiple-entrypoints.wasm")),
            routes[0].GetProperty("module").GetString());
    }

    [SkippableFact]
    public async Task Import_wagi_with_errors_uploads_nothing_and_deploys_nothing()
    {
        var toml = RepoPaths.RequireCorpus("wagi", "modules.toml");
        var before = (await platform.GetJsonAsync("/api/v1/modules")).GetProperty("count").GetInt64();

        var run = await platform.RunAsync("import-wagi", toml, "--app", "wagi-example");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("Not carried over", run.Out, StringComparison.Ordinal);
        Assert.Contains("default_host", run.Out, StringComparison.Ordinal);
        Assert.Contains("nothing was uploaded", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, (await platform.GetJsonAsync("/api/v1/modules")).GetProperty("count").GetInt64());
        Assert.Equal(404, await platform.StatusOfAsync("/api/v1/apps/wagi-example"));
    }

    [Fact]
    public async Task Upload_progress_is_drawn_on_a_terminal_and_kept_off_stderr_otherwise()
    {
        var module = folder.Copy(Fixtures.Path("hello-c"), "progress.wasm");

        var run = await platform.RunAsync(ControlPlaneFixture.AdminKey, ["deploy", module, "--app", "progress", "--route", "/progress"], stderrIsTerminal: true);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var size = new FileInfo(module).Length;
        Assert.Contains($"\rUploading progress.wasm  {Formats.Bytes(size)} / {Formats.Bytes(size)} (100%)", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "No admin key was given: pass --key or set FUNCTIONS_ADMIN_KEY")]
    [InlineData("wrong-key", "The key given (--key or FUNCTIONS_ADMIN_KEY) is not this control plane's admin key.")]
    public async Task A_missing_or_wrong_key_is_refused_with_what_to_send(string? key, string hint)
    {
        var run = await platform.RunAsync(key, ["apps"]);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("error: Unauthorized (401)", run.Error, StringComparison.Ordinal);
        Assert.Contains(hint, run.Error, StringComparison.Ordinal);
    }

    private static string Digest(string path) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
