using System.Net;
using System.Net.Sockets;
using Functions.Cli.Tests.Support;
using Functions.Testing;

namespace Functions.Cli.Tests.Commands;

/// <summary>The command line itself, where no control plane is needed: parsing, input errors, dry runs, no answer.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_module_without_app_and_route_says_how_to_deploy_one()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");

        var run = await CliRunner.RunAsync("deploy", module);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains($"functions deploy {module} --app NAME --route /path", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_is_recognised_by_its_bytes_whatever_its_file_name()
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "function.bin");

        var run = await CliRunner.RunAsync("deploy", module, "--app", "hello", "--route", "/hello", "--env", "A=1=2", "--dry-run", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var route = Assert.Single(run.Json().GetProperty("routes").EnumerateArray());
        Assert.Equal(module, route.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("--app", "Hello", "--app 'Hello' is not a valid application name")]
    [InlineData("--env", "NOEQUALS", "--env 'NOEQUALS': give NAME=value")]
    [InlineData("--env", "=x", "--env '=x': give NAME=value")]
    public async Task Bad_single_module_flags_are_refused_before_anything_is_sent(string flag, string value, string message)
    {
        var module = folder.Copy(Fixtures.Path("hello-wat"), "hello.wasm");
        var args = new List<string> { "deploy", module, "--route", "/x", "--url", "http://127.0.0.1:9/" };
        if (flag != "--app")
        {
            args.AddRange(["--app", "x"]);
        }

        args.AddRange([flag, value]);

        var run = await CliRunner.RunAsync([.. args]);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entrypoint_and_env_flags_are_refused_with_a_manifest()
    {
        folder.Module("a.wasm");
        var manifest = folder.Write("app.toml", "app = \"a\"\n[[routes]]\nroute = \"/\"\nmodule = \"a.wasm\"\n");

        var run = await CliRunner.RunAsync("deploy", manifest, "--env", "A=1");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("in a manifest, set 'entrypoint' and 'environment' on each route", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_without_an_app_name_asks_for_one()
    {
        folder.Module("a.wasm");
        var manifest = folder.Write("app.toml", "[[routes]]\nroute = \"/\"\nmodule = \"a.wasm\"\n");

        var run = await CliRunner.RunAsync("deploy", manifest);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("add app = \"name\" to it, or pass --app NAME", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_of_a_manifest_shows_the_routes_and_sends_nothing()
    {
        var module = folder.Module("a.wasm");
        var manifest = folder.Write("app.toml", "app = \"a\"\n[[routes]]\nroute = \"/a\"\nmodule = \"a.wasm\"\nentrypoint = \"go\"\n");

        // The address answers nothing: a dry run must not need it.
        var run = await CliRunner.RunAsync("deploy", manifest, "--app", "b", "--dry-run", "--json", "--url", "http://127.0.0.1:9/");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var json = run.Json();
        Assert.Equal("b", json.GetProperty("app").GetString());
        Assert.True(json.GetProperty("dryRun").GetBoolean());
        var route = Assert.Single(json.GetProperty("routes").EnumerateArray());
        Assert.Equal(("/a", module, "go"), (route.GetProperty("route").GetString(), route.GetProperty("source").GetString(), route.GetProperty("entrypoint").GetString()));
        Assert.Empty(run.Error);
    }

    [SkippableFact]
    public async Task Import_wagi_dry_run_json_lists_routes_unsupported_fields_notes_and_errors()
    {
        var toml = RepoPaths.RequireCorpus("wagi", "modules.toml");

        var run = await CliRunner.RunAsync("import-wagi", toml, "--app", "example", "--dry-run", "--json");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        var json = run.Json();
        Assert.Equal(5, json.GetProperty("routes").GetArrayLength());
        Assert.Equal(
            ["default_host"],
            json.GetProperty("unsupported").EnumerateArray().Select(u => u.GetProperty("field").GetString()));
        Assert.Equal(5, json.GetProperty("errors").GetArrayLength());
        Assert.Contains("nothing was uploaded", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_wagi_needs_an_app_name()
    {
        var run = await CliRunner.RunAsync("import-wagi", "modules.toml");

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--app", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_control_plane_that_refuses_connections_is_named_with_how_to_start_the_platform()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/";

        var run = await CliRunner.RunAsync(new Dictionary<string, string> { [GlobalOptions.UrlVariable] = url }, null, ["apps"]);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains($"Cannot reach the control plane at {url}: connection refused.", run.Error, StringComparison.Ordinal);
        Assert.Contains("./deploy/run.sh", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task With_json_an_unreachable_control_plane_is_also_a_json_error_on_stdout()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/";

        var run = await CliRunner.RunAsync("workers", "--url", url, "--json");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        var error = run.Json().GetProperty("error");
        Assert.Equal("unreachable", error.GetProperty("kind").GetString());
        Assert.Contains(url, error.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    [InlineData("/relative")]
    public async Task An_address_that_is_not_an_http_url_is_refused(string url)
    {
        var run = await CliRunner.RunAsync("apps", "--url", url);

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("give an http(s) URL such as http://127.0.0.1:5080", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_timeout_is_a_usage_error_that_shows_the_accepted_forms()
    {
        var run = await CliRunner.RunAsync("status", "app", "--wait", "--timeout", "soon");

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("'soon' is not a duration: give e.g. 60s, 2m, 500ms", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_never_prints_the_admin_key_from_the_environment()
    {
        var run = await CliRunner.RunAsync(
            new Dictionary<string, string> { [GlobalOptions.KeyVariable] = "s3cret-admin-key" }, null, ["deploy", "--help"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--key", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-admin-key", run.Out + run.Error, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        // A port that was free a moment ago and has no listener now: connecting is refused.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
