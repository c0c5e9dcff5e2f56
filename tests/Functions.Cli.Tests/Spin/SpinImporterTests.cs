using Functions.Cli.Commands;
using Functions.Cli.Spin;
using Functions.Cli.Tests.Support;

namespace Functions.Cli.Tests.Spin;

/// <summary>How spin.toml (versions 1 and 2) maps onto an application, and what is listed as not carried over.</summary>
public sealed class SpinImporterTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_version_1_wagi_component_keeps_its_route_under_the_base_entrypoint_argv_and_environment()
    {
        folder.Module("target/cms.wasm");
        var toml = folder.Write("spin.toml", """
            spin_version = "1"
            name = "My CMS"
            trigger = { type = "http", base = "/site" }

            [[component]]
            id = "cms"
            source = "target/cms.wasm"
            environment = { THEME = "dark", PAGES = 3 }
            [component.trigger]
            route = "/..."
            executor = { type = "wagi", entrypoint = "serve", argv = "${SCRIPT_NAME} ${ARGS} extra" }
            """);

        var import = SpinImporter.Read(toml);

        Assert.Empty(import.Errors);
        Assert.Empty(import.Unsupported);
        var route = Assert.Single(import.Routes);
        Assert.Equal("/site/...", route.Route);
        Assert.Equal(Path.Combine(folder.Path, "target", "cms.wasm"), route.ModulePath);
        Assert.Equal("serve", route.Entrypoint);
        Assert.Equal("${SCRIPT_NAME} ${ARGS} extra", route.Argv);
        Assert.Equal(new Dictionary<string, string> { ["THEME"] = "dark", ["PAGES"] = "3" }, route.Environment);
        Assert.Null(route.Files);
        Assert.Equal("my-cms", ImportSpinCommand.AppName(null, import));
    }

    [Fact]
    public void Version_1_components_on_the_spin_executor_or_a_redis_trigger_are_listed_not_imported()
    {
        folder.Module("a.wasm");
        var toml = folder.Write("spin.toml", """
            spin_manifest_version = "1"
            name = "mixed"
            trigger = { type = "http", base = "/" }

            [[component]]
            id = "wagi"
            source = "a.wasm"
            allowed_http_hosts = ["https://example.com"]
            [component.trigger]
            route = "/w"
            executor = { type = "wagi" }

            [[component]]
            id = "native"
            source = "a.wasm"
            [component.trigger]
            route = "/n"

            [[component]]
            id = "spinexec"
            source = "a.wasm"
            [component.trigger]
            route = "/s"
            executor = { type = "spin" }
            """);

        var import = SpinImporter.Read(toml);

        Assert.Empty(import.Errors);
        Assert.Equal(["/w"], import.Routes.Select(r => r.Route));
        Assert.Equal(["https://example.com"], import.Routes[0].AllowedHosts);
        Assert.Equal(
            ["[[component]] native (/n) executor", "[[component]] spinexec (/s) executor"],
            import.Unsupported.Select(u => u.Where));
        Assert.Contains("executor = { type = \"wagi\" }", import.Unsupported[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_2_manifest_maps_triggers_to_routes_and_all_files_forms_into_one_bundle_at_the_root()
    {
        folder.Module("modules/env.wasm");
        folder.Write("content/index.md", "# home");
        folder.Write("content/blog/post.md", "post");
        folder.Write("content/blog/draft.tmp", "skip me");
        folder.Write("templates/main.hbs", "{{body}}");
        folder.Write("templates/deep/no.hbs", "not matched by templates/*");
        folder.Write("config/site.toml", "title = 'x'");
        folder.Write("assets/css/site.css", "body{}");
        var toml = folder.Write("spin.toml", """
            spin_manifest_version = 2

            [application]
            name = "bartholomew-like"
            version = "1.0.0"

            [application.trigger.http]
            base = "/"

            [[trigger.http]]
            route = "/..."
            component = "env"
            executor = { type = "wagi", argv = "test ${SCRIPT_NAME} ${ARGS} done", entrypoint = "serve-wagi" }

            [[trigger.http]]
            route = "/static/..."
            component = "env"
            executor = { type = "wagi" }

            [component.env]
            source = "modules/env.wasm"
            files = [ "content/**/*", "templates/*", "config", { source = "assets", destination = "/static" } ]
            exclude_files = [ "**/*.tmp" ]
            environment = { MODE = "prod" }
            allowed_outbound_hosts = []
            """);

        var import = SpinImporter.Read(toml);

        Assert.Empty(import.Errors);
        Assert.Empty(import.Unsupported);
        Assert.Equal(["/...", "/static/..."], import.Routes.Select(r => r.Route));
        var first = import.Routes[0];
        Assert.Equal(("serve-wagi", "test ${SCRIPT_NAME} ${ARGS} done"), (first.Entrypoint, first.Argv));
        Assert.Equal(("prod", null, null), (first.Environment!["MODE"], import.Routes[1].Entrypoint, import.Routes[1].Argv));
        var bundle = Assert.Single(first.Files!, f => f.Key == "/").Value;
        Assert.Equal(bundle.Key, import.Routes[1].Files!["/"].Key);
        Assert.Equal(
            ["config/site.toml", "content/blog/post.md", "content/index.md", "static", "templates/main.hbs"],
            bundle.Entries!.Select(e => e.Key));
        Assert.Equal(Path.Combine(folder.Path, "assets"), bundle.Entries!.Single(e => e.Key == "static").Value);
        Assert.Equal("bartholomew-like", ImportSpinCommand.AppName(null, import));
    }

    [Fact]
    public void Version_2_features_this_platform_lacks_are_each_listed_with_the_reason()
    {
        folder.Module("app.wasm");
        var toml = folder.Write("spin.toml", """
            spin_manifest_version = 2

            [application]
            name = "kitchen-sink"

            [variables]
            token = { required = true }

            [[trigger.http]]
            route = "/app/..."
            component = "app"
            executor = { type = "wagi" }

            [[trigger.http]]
            route = "/native"
            component = "native"

            [[trigger.http]]
            route = { private = true }
            component = "app"

            [[trigger.redis]]
            channel = "messages"
            component = "listener"

            [component.app]
            source = "app.wasm"
            allowed_outbound_hosts = ["https://api.example.com", "https://*.example.com", "postgres://db.example.com:5432"]
            key_value_stores = ["default"]
            sqlite_databases = ["default"]
            ai_models = ["llama2-chat"]
            variables = { token = "{{ token }}" }

            [component.native]
            source = "app.wasm"

            [component.remote]
            source = { url = "https://example.com/r.wasm", digest = "sha256:00" }

            [component.listener]
            source = "app.wasm"
            """);

        var import = SpinImporter.Read(toml);

        Assert.Empty(import.Errors);
        Assert.Equal(["/app/..."], import.Routes.Select(r => r.Route));
        Assert.Equal(
            [
                "variables",
                "[component.app] (/app/...) allowed_outbound_hosts",
                "[component.app] (/app/...) allowed_outbound_hosts",
                "[component.app] (/app/...) key_value_stores",
                "[component.app] (/app/...) sqlite_databases",
                "[component.app] (/app/...) ai_models",
                "[component.app] (/app/...) variables",
                "[[trigger.http]] #2 (/native) executor",
                "[[trigger.http]] #3 route",
                "trigger.redis",
                "[component.remote]",
            ],
            import.Unsupported.Select(u => u.Where));
        Assert.All(import.Unsupported, u => Assert.StartsWith("not carried over", u.Message, StringComparison.Ordinal));
        Assert.Equal(["https://api.example.com"], import.Routes[0].AllowedHosts);
        Assert.Contains("wildcards", import.Unsupported[1].Message, StringComparison.Ordinal);
        Assert.Contains("only http and https", import.Unsupported[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_source_is_listed_and_a_route_parameter_stops_the_import()
    {
        folder.Module("app.wasm");
        var toml = folder.Write("spin.toml", """
            spin_manifest_version = 2
            [application]
            name = "params"

            [[trigger.http]]
            route = "/users/:id"
            component = "app"
            executor = { type = "wagi" }

            [[trigger.http]]
            route = "/remote"
            component = { source = { url = "https://example.com/r.wasm", digest = "sha256:00" } }
            executor = { type = "wagi" }

            [component.app]
            source = "app.wasm"
            """);

        var import = SpinImporter.Read(toml);

        var error = Assert.Single(import.Errors, e => e.Field == "route");
        Assert.Equal("[[trigger.http]] #1 (/users/:id) route", error.Where);
        Assert.Contains("PATH_INFO", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing would be deployed", Assert.Single(import.Errors, e => e.Field is null).Message, StringComparison.Ordinal);
        var remote = Assert.Single(import.Unsupported);
        Assert.Equal("source", remote.Field);
        Assert.Contains("local files only", remote.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "/hello", "/hello")]
    [InlineData("/", "/...", "/...")]
    [InlineData("/api", "/...", "/api/...")]
    [InlineData("/api/", "/users/...", "/api/users/...")]
    [InlineData("api", "/x", "/api/x")]
    public void Routes_take_the_trigger_base_in_front(string basePath, string route, string expected)
    {
        Assert.Equal(expected, SpinRoutes.Map(basePath, route, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("/a/.../b")]
    [InlineData("/a...")]
    [InlineData("/users/:id")]
    public void Routes_this_platform_cannot_express_are_refused_with_a_reason(string route)
    {
        Assert.Null(SpinRoutes.Map("/", route, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void A_file_that_is_not_a_spin_manifest_says_what_it_needs()
    {
        var toml = folder.Write("spin.toml", "name = \"x\"\n");

        var import = SpinImporter.Read(toml);

        Assert.Contains("spin_manifest_version", Assert.Single(import.Errors).Message, StringComparison.Ordinal);
    }
}
