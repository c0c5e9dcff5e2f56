using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Manifests;
using Functions.Cli.Tests.Support;
using Functions.Contracts.Api;

namespace Functions.Cli.Tests.Manifests;

/// <summary>App manifests in TOML and JSON: one format, read the same way, every problem reported at once.</summary>
public sealed class ManifestReaderTests : IDisposable
{
    private const string Toml = """
        app = "shop"

        [[routes]]
        route = "/api/..."
        module = "build/api.wasm"
        entrypoint = "serve"
        argv = "${SCRIPT_NAME} ${ARGS}"
        environment = { MODE = "prod", WORKERS = 4 }
        volumes = { "/static" = "shop/static", "/cache" = { path = "shop/cache", writable = true } }
        limits = { timeoutMs = 5000, memoryMb = 64, maxBodyBytes = 1048576, maxConcurrency = 8 }
        allowed_hosts = ["https://api.example.com", "http://10.0.0.5:8080"]
        max_outbound_concurrency = 4

        [[routes]]
        route = "/"
        module = "sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE"
        """;

    private const string Json = """
        {
          // comments and trailing commas are fine
          "app": "shop",
          "routes": [
            {
              "route": "/api/...",
              "module": "build/api.wasm",
              "entrypoint": "serve",
              "argv": "${SCRIPT_NAME} ${ARGS}",
              "environment": { "MODE": "prod", "WORKERS": 4 },
              "volumes": { "/static": "shop/static", "/cache": { "path": "shop/cache", "writable": true } },
              "limits": { "timeoutMs": 5000, "memoryMb": 64, "maxBodyBytes": 1048576, "maxConcurrency": 8 },
              "allowed_hosts": ["https://api.example.com", "http://10.0.0.5:8080"],
              "max_outbound_concurrency": 4,
            },
            { "route": "/", "module": "sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE" },
          ],
        }
        """;

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("app.toml", Toml)]
    [InlineData("app.json", Json)]
    public void A_manifest_gives_the_app_and_every_route_with_its_settings(string name, string text)
    {
        var module = folder.Module("deploy/build/api.wasm");
        var manifest = ManifestReader.Read(folder.Write($"deploy/{name}", text));

        Assert.Equal("shop", manifest.App);
        Assert.Equal(2, manifest.Routes.Count);
        var api = manifest.Routes[0];
        Assert.Equal(("/api/...", module, null, "serve", "${SCRIPT_NAME} ${ARGS}", "routes[0]"),
            (api.Route, api.ModulePath, api.ModuleDigest, api.Entrypoint, api.Argv, api.Origin));
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "prod", ["WORKERS"] = "4" }, api.Environment);
        Assert.Equal(
            new Dictionary<string, VolumeRequest>
            {
                ["/static"] = new() { Path = "shop/static" },
                ["/cache"] = new() { Path = "shop/cache", Writable = true },
            },
            api.Volumes);
        Assert.Equal(new LimitsRequest { TimeoutMs = 5000, MemoryMb = 64, MaxBodyBytes = 1048576, MaxConcurrency = 8 }, api.Limits);
        Assert.Equal(["https://api.example.com", "http://10.0.0.5:8080"], api.AllowedHosts);
        Assert.Equal(4, api.MaxOutboundConcurrency);
        var root = manifest.Routes[1];
        Assert.Null(root.AllowedHosts);
        Assert.Null(root.MaxOutboundConcurrency);
        Assert.Null(root.ModulePath);
        Assert.Equal("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", root.ModuleDigest);
    }

    [Theory]
    [InlineData("entry_point = \"x\"", "routes[0].entry_point: unknown field; did you mean 'entrypoint'?")]
    [InlineData("limits = { timeout_ms = 5 }", "routes[0].limits.timeout_ms: unknown field; did you mean 'timeoutMs'?")]
    [InlineData("limits = { timeoutMs = \"5s\" }", "routes[0].limits.timeoutMs: expected a whole number, got \"5s\".")]
    [InlineData("environment = [\"A=1\"]", "routes[0].environment: expected a table of NAME = \"value\", got an array.")]
    [InlineData("volumes = { \"/d\" = { writable = true } }", "routes[0].volumes.\"/d\".path: missing; give the host directory.")]
    [InlineData("volumes = { \"/d\" = { path = \"d\", writable = \"yes\" } }", "routes[0].volumes.\"/d\".writable: expected true or false, got \"yes\".")]
    [InlineData("argv = [\"a\"]", "routes[0].argv: expected a string, got an array.")]
    [InlineData("allowedHosts = []", "routes[0].allowedHosts: unknown field; did you mean 'allowed_hosts'?")]
    [InlineData("allowed_hosts = \"https://a.example.com\"", "routes[0].allowed_hosts: expected an array of origins, e.g. allowed_hosts = [\"https://api.example.com\"], got \"https://a.example.com\".")]
    [InlineData("allowed_hosts = [\"api.example.com\"]", "routes[0].allowed_hosts[0]: 'api.example.com': an origin starts with its scheme: write https://api.example.com (or http://).")]
    [InlineData("allowed_hosts = [\"https://a.example.com/v1\"]", "routes[0].allowed_hosts[0]: 'https://a.example.com/v1': an origin has no path (it allows every path of its host): drop '/v1'.")]
    [InlineData("max_outbound_concurrency = \"8\"", "routes[0].max_outbound_concurrency: expected a whole number, got \"8\".")]
    public void A_wrong_route_field_is_reported_with_its_path_and_what_to_write(string line, string problem)
    {
        folder.Module("app.wasm");
        var path = folder.Write("app.toml", $"""
            app = "x"
            [[routes]]
            route = "/"
            module = "app.wasm"
            {line}
            """);

        var error = Assert.Throws<CliException>(() => ManifestReader.Read(path));

        Assert.Equal([problem], error.Details);
    }

    [Fact]
    public void An_oci_module_is_left_for_the_control_plane_to_pull_and_a_malformed_one_is_reported()
    {
        var path = folder.Write("app.toml", """
            app = "x"
            [[routes]]
            route = "/"
            module = "oci://registry.example.com:5000/team/hello:1.0"
            [[routes]]
            route = "/bad"
            module = "oci://no-repository"
            """);

        var error = Assert.Throws<CliException>(() => ManifestReader.Read(path));
        var problem = Assert.Single(error.Details);
        Assert.StartsWith("routes[1].module: 'oci://no-repository' is not an OCI reference", problem, StringComparison.Ordinal);

        folder.Write("app.toml", """
            app = "x"
            [[routes]]
            route = "/"
            module = "oci://registry.example.com:5000/team/hello:1.0"
            """);
        var route = Assert.Single(ManifestReader.Read(path).Routes);
        Assert.Equal("oci://registry.example.com:5000/team/hello:1.0", route.ModuleReference);
        Assert.Null(route.ModulePath);
        Assert.Null(route.ModuleDigest);
    }

    [Fact]
    public void Every_problem_in_a_manifest_is_reported_at_once()
    {
        var path = folder.Write("app.json", """
            { "app": "Not_Valid", "name": "x", "routes": [ { "route": "/a" }, { "module": "missing.wasm" }, 3 ] }
            """);

        var error = Assert.Throws<CliException>(() => ManifestReader.Read(path));

        Assert.Contains("has 6 problems", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            [
                "name: unknown field; a manifest has 'app' and 'routes'.",
                "app: 'Not_Valid' is not valid: an application name is 1–63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. 'hello-world'.",
                "routes[0].module: missing; give the module file's path, relative to the manifest.",
                "routes[1].route: missing; e.g. \"/hello\", \"/api/...\" (a prefix) or \"/...\" (everything).",
                $"routes[1].module: file not found: {Path.Combine(folder.Path, "missing.wasm")} (module paths are relative to the manifest's folder; a module " +
                    "in a registry is written oci://HOST/REPOSITORY:TAG).",
                "routes[2]: a route is a table/object with at least 'route' and 'module'.",
            ],
            error.Details);
    }

    [Theory]
    [InlineData("app.toml", "app = \"x\"\n", "routes: give at least one route")]
    [InlineData("app.json", "{ \"app\": \"x\", \"routes\": [] }", "routes: give at least one route")]
    [InlineData("app.toml", "app = \n", "is not valid TOML")]
    [InlineData("app.json", "{ \"app\": ", "is not valid JSON")]
    [InlineData("app.json", "[1, 2]", "a manifest is a JSON object")]
    [InlineData("app.yaml", "app: x", "a manifest is a .json or .toml file")]
    public void A_manifest_that_is_not_one_says_what_a_manifest_is(string name, string text, string message)
    {
        var path = folder.Write(name, text);

        var error = Assert.Throws<CliException>(() => ManifestReader.Read(path));

        Assert.Contains(message, string.Join("\n", [error.Message, .. error.Details]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_manifest_file_is_named()
    {
        var path = Path.Combine(folder.Path, "nope.toml");

        var error = Assert.Throws<CliException>(() => ManifestReader.Read(path));

        Assert.Equal($"File not found: {path}", error.Message);
    }

    [Theory]
    [InlineData("hello", true)]
    [InlineData("hello-world-2", true)]
    [InlineData("a", true)]
    [InlineData("Hello", false)]
    [InlineData("-hello", false)]
    [InlineData("hello-", false)]
    [InlineData("hello_world", false)]
    [InlineData("", false)]
    public void Application_names_follow_the_control_planes_rule(string name, bool valid)
    {
        Assert.Equal(valid, AppNames.IsValid(name));
        Assert.False(AppNames.IsValid(new string('a', 64)));
    }

    [Fact]
    public void Files_mount_folders_relative_to_the_manifest_or_bundles_by_digest()
    {
        folder.Module("app/build/site.wasm");
        folder.Write("app/site/index.html", "hi");
        var path = folder.Write("app/functions.toml", """
            app = "site"

            [[routes]]
            route = "/..."
            module = "build/site.wasm"
            files = { "/" = "site/", "/shared" = "sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE" }
            """);

        var files = Assert.Single(ManifestReader.Read(path).Routes).Files!;

        Assert.Equal(Path.Combine(folder.Path, "app", "site"), files["/"].Folder);
        Assert.Equal("site/", files["/"].Description);
        Assert.Equal("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", files["/shared"].Digest);
    }

    [Fact]
    public void Files_that_are_not_folders_are_each_reported()
    {
        folder.Module("site.wasm");
        folder.Write("one-file.html", "hi");
        var path = folder.Write("functions.toml", """
            app = "site"

            [[routes]]
            route = "/..."
            module = "site.wasm"
            files = { "/" = "missing/", "/one" = "one-file.html", "relative" = "x", "/d" = "sha256:12" }
            """);

        var error = Assert.Throws<CliException>(() => ManifestReader.Read(path));

        Assert.Collection(error.Details,
            d => Assert.Contains("routes[0].files.\"/\": folder not found", d, StringComparison.Ordinal),
            d => Assert.Contains("routes[0].files.\"/one\": ", d, StringComparison.Ordinal),
            d => Assert.Contains("routes[0].files.\"relative\": the guest path is absolute", d, StringComparison.Ordinal),
            d => Assert.Contains("routes[0].files.\"/d\": 'sha256:12' is not a digest", d, StringComparison.Ordinal));
    }
}
