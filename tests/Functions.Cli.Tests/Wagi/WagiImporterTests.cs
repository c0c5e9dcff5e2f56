using Functions.Cli.Tests.Support;
using Functions.Cli.Wagi;
using Functions.Contracts.Api;

namespace Functions.Cli.Tests.Wagi;

/// <summary>How each modules.toml field is mapped, reported or refused (docs/cli.md has the table).</summary>
public sealed class WagiImporterTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Route_module_entrypoint_argv_and_environment_are_carried_over()
    {
        folder.Module("mods/app.wasm");
        var toml = folder.Write("modules.toml", """
            [[module]]
            route = "/app/..."
            module = "mods/app.wasm"
            entrypoint = "serve"
            argv = "${SCRIPT_NAME} ${ARGS}"
            environment = { GREETING = "hi", COUNT = 3, DEBUG = true }
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Empty(import.Errors);
        Assert.Empty(import.Unsupported);
        var route = Assert.Single(import.Routes);
        Assert.Equal("/app/...", route.Route);
        Assert.Equal(Path.Combine(folder.Path, "mods", "app.wasm"), route.ModulePath);
        Assert.Equal("serve", route.Entrypoint);
        Assert.Equal("${SCRIPT_NAME} ${ARGS}", route.Argv);
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "hi", ["COUNT"] = "3", ["DEBUG"] = "true" }, route.Environment);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_host_volumes_volumes_are_read_only_unless_asked_and_the_note_says_how_and_where_they_resolve(bool writable)
    {
        folder.Module("app.wasm");
        var toml = folder.Write("modules.toml", """
            [[module]]
            route = "/files"
            module = "app.wasm"
            volumes = { "/data" = "site/data", "/tmp" = "/srv/scratch" }
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions { HostVolumes = true, WritableVolumes = writable });

        var volumes = Assert.Single(import.Routes).Volumes!;
        Assert.Equal(new VolumeRequest { Path = "site/data", Writable = writable }, volumes["/data"]);
        Assert.Equal(new VolumeRequest { Path = "/srv/scratch", Writable = writable }, volumes["/tmp"]);
        var note = Assert.Single(import.Notes, n => n.Field == "volumes");
        Assert.Contains(writable ? "mapped writable" : "pass --writable-volumes", note.Message, StringComparison.Ordinal);
        Assert.Contains("volumes root", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void By_default_each_volume_folder_becomes_a_file_bundle_mounted_at_its_guest_path()
    {
        folder.Module("app.wasm");
        folder.Write("site/index.html", "<h1>hi</h1>");
        var data = Directory.CreateDirectory(Path.Combine(folder.Path, "abs-data")).FullName;
        var toml = folder.Write("modules.toml", $$"""
            [[module]]
            route = "/..."
            module = "app.wasm"
            volumes = { "/" = "site", "/data" = "{{data}}" }
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Empty(import.Errors);
        var route = Assert.Single(import.Routes);
        Assert.Null(route.Volumes);
        Assert.Equal(Path.Combine(folder.Path, "site"), route.Files!["/"].Folder);
        Assert.Equal(data, route.Files["/data"].Folder);
        Assert.Contains("--host-volumes", Assert.Single(import.Notes, n => n.Field == "volumes").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Relative_guest_paths_as_site_templates_write_them_are_mounted_from_the_root_with_a_note(bool hostVolumes)
    {
        // As in Bartholomew's site template: volumes = { "content/" = "content/", ... }.
        folder.Module("app.wasm");
        folder.Write("content/index.md", "# hi");
        folder.Write("static/a.txt", "a");
        var toml = folder.Write("modules.toml", """
            [[module]]
            route = "/..."
            module = "app.wasm"
            volumes = { "content/" = "content/", "./static/" = "static", "/" = "static" }
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions { HostVolumes = hostVolumes });

        Assert.Empty(import.Errors);
        var route = Assert.Single(import.Routes);
        var guests = hostVolumes ? route.Volumes!.Keys : route.Files!.Keys;
        Assert.Equal(["/", "/content", "/static"], guests.Order(StringComparer.Ordinal));
        Assert.Contains(import.Notes, n => n.Message.Contains("guest path 'content/' mounted at '/content'", StringComparison.Ordinal));
        Assert.Contains(import.Notes, n => n.Message.Contains("guest path './static/' mounted at '/static'", StringComparison.Ordinal));
        Assert.DoesNotContain(import.Notes, n => n.Message.Contains("guest path '/'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_volume_folder_that_does_not_exist_stops_the_import_and_names_host_volumes()
    {
        folder.Module("app.wasm");
        var toml = folder.Write("modules.toml", """
            [[module]]
            route = "/"
            module = "app.wasm"
            volumes = { "/" = "missing" }
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        var error = Assert.Single(import.Errors);
        Assert.Equal("[[module]] #1 (/) volumes.\"/\"", error.Where);
        Assert.Contains("--host-volumes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_hosts_and_http_max_concurrency_become_the_routes_outbound_settings()
    {
        folder.Module("app.wasm");
        var toml = folder.Write("modules.toml", """
            [[module]]
            route = "/"
            module = "app.wasm"
            allowed_hosts = ["https://API.example.com/", "http://10.0.0.5:8080", "https://api.example.com"]
            http_max_concurrency = 7
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        var route = Assert.Single(import.Routes);
        Assert.Equal(["https://api.example.com", "http://10.0.0.5:8080"], route.AllowedHosts);
        Assert.Equal(7, route.MaxOutboundConcurrency);
        Assert.Null(route.Limits);
        Assert.Empty(import.Unsupported);
        Assert.Empty(import.Errors);
    }

    [Fact]
    public void Allowed_hosts_that_are_not_plain_origins_are_listed_with_the_reason_and_the_others_kept()
    {
        folder.Module("app.wasm");
        var toml = folder.Write("modules.toml", """
            [[module]]
            route = "/"
            module = "app.wasm"
            allowed_hosts = ["insecure:allow-all", "https://ok.example.com", "https://api.example.com/v1", "api.example.com"]
            http_max_concurrency = 5000
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Equal(["https://ok.example.com"], Assert.Single(import.Routes).AllowedHosts);
        Assert.Equal(
            ["\"insecure:allow-all\"", "\"https://api.example.com/v1\"", "\"api.example.com\""],
            import.Unsupported.Where(u => u.Field == "allowed_hosts").Select(u => u.Value));
        Assert.Contains("allowing every host", import.Unsupported[0].Message, StringComparison.Ordinal);
        Assert.Contains("no path", import.Unsupported[1].Message, StringComparison.Ordinal);
        Assert.Contains("write https://api.example.com", import.Unsupported[2].Message, StringComparison.Ordinal);
        Assert.Equal(1000, import.Routes[0].MaxOutboundConcurrency);
        Assert.Contains(import.Notes, n => n.Field == "http_max_concurrency" && n.Message.Contains("1000", StringComparison.Ordinal));
    }

    [Fact]
    public void Fields_the_platform_cannot_honour_are_listed_with_their_values_and_reasons()
    {
        folder.Module("app.wasm");
        var toml = folder.Write("modules.toml", """
            listen = "0.0.0.0:3000"

            [[module]]
            route = "/"
            module = "app.wasm"
            bindle_server = "http://bindle:8080/v1"
            cache = true
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Empty(import.Errors);
        Assert.Equal(
            ["listen = \"0.0.0.0:3000\"", "[[module]] #1 (/) bindle_server = \"http://bindle:8080/v1\"",
             "[[module]] #1 (/) cache = true"],
            import.Unsupported.Select(u => $"{u.Where} = {u.Value}"));
        Assert.Contains("Bindle", import.Unsupported[1].Message, StringComparison.Ordinal);
        Assert.Contains("ignored", import.Unsupported[2].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bindle:example.com/hello/1.0.0", "Bindle (deprecated in WAGI itself) is not an OCI registry")]
    [InlineData("oci:team/hello:1.2.3", "oci://registry-1.docker.io/team/hello:1.2.3")]
    [InlineData("oci:hello:1.2.3", "oci://registry-1.docker.io/library/hello:1.2.3")]
    [InlineData("oci://example.com/", "is not an OCI reference")]
    [InlineData("https://example.com/hello.wasm", "'https:' references")]
    [InlineData("hello.wat", "wat2wasm hello.wat")]
    [InlineData("missing.wasm", "file not found")]
    [InlineData("${HOME}/hello.wasm", "${HOME} is a placeholder")]
    public void A_module_reference_that_is_not_a_local_binary_file_stops_the_import(string reference, string message)
    {
        folder.Write("hello.wat", "(module)");
        var toml = folder.Write("modules.toml", $"""
            [[module]]
            route = "/"
            module = "{reference}"
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        var error = Assert.Single(import.Errors);
        Assert.Equal("[[module]] #1 (/) module", error.Where);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Null(Assert.Single(import.Routes).ModulePath);
    }

    [Theory]
    [InlineData("oci://127.0.0.1:5000/team/hello:1.0", "oci://127.0.0.1:5000/team/hello:1.0")]
    [InlineData("oci:example.com/hello:1.0", "oci://example.com/hello:1.0")]
    [InlineData("oci:localhost:5000/hello", "oci://localhost:5000/hello:latest")]
    [InlineData("oci:registry.lan/team/hello@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "oci://registry.lan/team/hello@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    public void An_oci_reference_naming_its_registry_is_carried_over_for_the_control_plane_to_pull(string reference, string mapped)
    {
        var toml = folder.Write("modules.toml", $"""
            [[module]]
            route = "/"
            module = "{reference}"
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Empty(import.Errors);
        var route = Assert.Single(import.Routes);
        Assert.Null(route.ModulePath);
        Assert.Equal(mapped, route.ModuleReference);
        Assert.Contains("pulled by the control plane", Assert.Single(import.Notes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_urls_and_relative_paths_resolve_against_the_toml_not_the_working_directory()
    {
        var absolute = folder.Module("abs/one.wasm");
        folder.Module("maps/rel/two.wasm");
        var toml = folder.Write("maps/modules.toml", $"""
            [[module]]
            route = "/one"
            module = "file://{absolute}"

            [[module]]
            route = "/two"
            module = "rel/two.wasm"
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Empty(import.Errors);
        Assert.Equal([absolute, Path.Combine(folder.Path, "maps", "rel", "two.wasm")], import.Routes.Select(r => r.ModulePath));
    }

    [Fact]
    public void Project_root_stands_for_the_folder_given_with_project_root()
    {
        var module = folder.Module("repo/testdata/app.wasm");
        var toml = folder.Write("maps/modules.toml", """
            [[module]]
            route = "/"
            module = "file:///${PROJECT_ROOT}/testdata/app.wasm"
            """);

        var import = WagiImporter.Read(toml, new WagiImportOptions { ProjectRoot = Path.Combine(folder.Path, "repo") });

        Assert.Empty(import.Errors);
        Assert.Equal(module, Assert.Single(import.Routes).ModulePath);
        Assert.Contains(import.Notes, n => n.Message.Contains(Path.Combine(folder.Path, "repo"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("module = \"app.wasm\"", "[[module]] #1 route", "every [[module]] needs a route")]
    [InlineData("route = \"/\"", "[[module]] #1 (/) module", "give the module file")]
    [InlineData("route = \"/\"\nmodule = \"app.wasm\"\nhttp_max_concurrency = 0", "[[module]] #1 (/) http_max_concurrency", "positive whole number")]
    [InlineData("route = \"/\"\nmodule = \"app.wasm\"\nentrypoint = 3", "[[module]] #1 (/) entrypoint", "expected a string")]
    [InlineData("route = \"/\"\nmodule = \"app.wasm\"\nvolumes = [\"/data\"]", "[[module]] #1 (/) volumes", "expected a table")]
    public void A_malformed_module_table_is_an_error_naming_the_table_and_field(string body, string where, string message)
    {
        folder.Module("app.wasm");
        var toml = folder.Write("modules.toml", "[[module]]\n" + body + "\n");

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        var error = Assert.Single(import.Errors);
        Assert.Equal(where, error.Where);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_module_tables_says_what_a_modules_toml_holds()
    {
        var toml = folder.Write("modules.toml", "title = \"nothing here\"\n");

        var import = WagiImporter.Read(toml, new WagiImportOptions());

        Assert.Contains("[[module]] tables", Assert.Single(import.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(import.Routes);
    }

    [Fact]
    public void Toml_that_does_not_parse_is_refused_naming_the_file()
    {
        var toml = folder.Write("modules.toml", "[[module]\nroute = \n");

        var error = Assert.Throws<CliException>(() => WagiImporter.Read(toml, new WagiImportOptions()));

        Assert.Contains(toml, error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid TOML", error.Message, StringComparison.Ordinal);
    }
}
