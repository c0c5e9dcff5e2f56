using Functions.Cli.Tests.Support;
using Functions.Testing;

namespace Functions.Cli.Tests.EndToEnd;

/// <summary>
/// Route files against the real control plane: deploy packs and uploads a folder once, import-spin deploys a Spin
/// manifest's files, and the CLI's views show the mounts.
/// </summary>
public sealed class FilesDeployTests(ControlPlaneFixture platform) : IClassFixture<ControlPlaneFixture>, IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_manifests_folder_is_uploaded_once_and_the_second_deploy_sends_nothing()
    {
        folder.Copy(Fixtures.Path("hello-wat"), "app/hello.wasm");
        folder.Write("app/site/index.html", "<h1>home</h1>");
        folder.Write("app/site/css/site.css", "body{}");
        var manifest = folder.Write("app/functions.toml", """
            app = "static-site"

            [[routes]]
            route = "/site/..."
            module = "hello.wasm"
            files = { "/" = "site/" }

            [[routes]]
            route = "/also"
            module = "hello.wasm"
            files = { "/www" = "site" }
            """);

        var first = await platform.RunAsync(ControlPlaneFixture.AdminKey, ["deploy", manifest], stderrIsTerminal: true);
        var second = await platform.RunAsync(ControlPlaneFixture.AdminKey, ["deploy", manifest], stderrIsTerminal: true);
        var json = await platform.RunAsync("deploy", manifest, "--json");

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.Contains("Uploading site/", first.Error, StringComparison.Ordinal);
        Assert.Contains("site/: uploaded (sha256:", first.Error, StringComparison.Ordinal);
        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        Assert.DoesNotContain("Uploading", second.Error, StringComparison.Ordinal);
        Assert.Contains("site/: already uploaded (sha256:", second.Error, StringComparison.Ordinal);
        var upload = Assert.Single(json.Json().GetProperty("files").EnumerateArray());
        Assert.False(upload.GetProperty("uploaded").GetBoolean());
        Assert.Equal(2, upload.GetProperty("files").GetInt32());
        var digest = upload.GetProperty("digest").GetString()!;

        var routes = (await platform.GetJsonAsync("/api/v1/apps/static-site")).GetProperty("activeRelease").GetProperty("routes");
        Assert.Equal(digest, routes[0].GetProperty("files").GetProperty("/").GetString());
        Assert.Equal(digest, routes[1].GetProperty("files").GetProperty("/www").GetString());
        Assert.Equal(1, (await platform.GetJsonAsync("/api/v1/files")).GetProperty("count").GetInt64());

        var shown = await platform.RunAsync("apps", "static-site");
        Assert.Contains($"files /={digest[..19]}", shown.Out, StringComparison.Ordinal);
        var listing = await platform.RunAsync("files", "show", digest[..19]);
        Assert.True(listing.ExitCode == ExitCodes.Success, listing.ToString());
        Assert.Contains("css/site.css", listing.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_spin_deploys_a_version_2_manifests_wagi_component_with_its_files()
    {
        folder.Copy(Fixtures.Path("hello-wat"), "spin/modules/hello.wasm");
        folder.Write("spin/content/index.md", "# home");
        folder.Write("spin/static/logo.svg", "<svg/>");
        var toml = folder.Write("spin/spin.toml", """
            spin_manifest_version = 2

            [application]
            name = "Spin Site"

            [[trigger.http]]
            route = "/spin/..."
            component = "site"
            executor = { type = "wagi", argv = "${SCRIPT_NAME} ${ARGS}" }

            [[trigger.redis]]
            channel = "news"
            component = "site"

            [component.site]
            source = "modules/hello.wasm"
            files = [ "content/**/*", { source = "static", destination = "/static" } ]
            environment = { MODE = "prod" }
            key_value_stores = ["default"]
            """);

        var dry = await platform.RunAsync("import-spin", toml, "--dry-run");
        var run = await platform.RunAsync("import-spin", toml, "--json");

        Assert.True(dry.ExitCode == ExitCodes.Success, dry.ToString());
        Assert.Contains("would be imported as application 'spin-site'", dry.Out, StringComparison.Ordinal);
        Assert.Contains("/=files of [component.site]", dry.Out, StringComparison.Ordinal);
        Assert.Contains("key_value_stores", dry.Out, StringComparison.Ordinal);
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var json = run.Json();
        Assert.Equal(1, json.GetProperty("release").GetProperty("version").GetInt32());
        var bundle = Assert.Single(json.GetProperty("files").EnumerateArray());
        Assert.Equal(2, bundle.GetProperty("files").GetInt32());
        Assert.Equal(2, json.GetProperty("unsupported").GetArrayLength());
        var route = (await platform.GetJsonAsync("/api/v1/apps/spin-site")).GetProperty("activeRelease").GetProperty("routes")[0];
        Assert.Equal("/spin/...", route.GetProperty("route").GetString());
        Assert.Equal("prod", route.GetProperty("environment").GetProperty("MODE").GetString());
        Assert.Equal(bundle.GetProperty("digest").GetString(), route.GetProperty("files").GetProperty("/").GetString());
        var listing = await platform.GetJsonAsync($"/api/v1/files/{bundle.GetProperty("digest").GetString()}?pageSize=100");
        Assert.Equal(
            ["content", "content/index.md", "static", "static/logo.svg"],
            listing.GetProperty("listing").GetProperty("items").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task Import_wagi_packs_a_volume_folder_into_a_bundle_mounted_at_its_guest_path()
    {
        folder.Copy(Fixtures.Path("hello-wat"), "wagi/hello.wasm");
        folder.Write("wagi/site/index.html", "hi");
        var toml = folder.Write("wagi/modules.toml", """
            [[module]]
            route = "/cms/..."
            module = "hello.wasm"
            volumes = { "/site" = "site" }
            """);

        var run = await platform.RunAsync("import-wagi", toml, "--app", "wagi-cms", "--json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var digest = Assert.Single(run.Json().GetProperty("files").EnumerateArray()).GetProperty("digest").GetString();
        var route = (await platform.GetJsonAsync("/api/v1/apps/wagi-cms")).GetProperty("activeRelease").GetProperty("routes")[0];
        Assert.Equal(digest, route.GetProperty("files").GetProperty("/site").GetString());
        Assert.Equal(0, route.GetProperty("volumes").GetArrayLength());
    }
}
