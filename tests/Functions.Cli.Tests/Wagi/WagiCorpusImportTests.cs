using Functions.Cli.Wagi;
using Functions.Testing;
using Tomlyn;
using Tomlyn.Model;

namespace Functions.Cli.Tests.Wagi;

/// <summary>
/// import-wagi over every modules.toml of the WAGI corpus (deislabs/wagi's own test maps and example): what each
/// maps to, and that every field in it is either carried over or listed, never dropped silently.
/// </summary>
public class WagiCorpusImportTests
{
    private static readonly string[] ToastOnDemand = ["toast-on-demand.wasm"];

    /// <summary>One row per corpus file: routes in order, their module files, entrypoints, and what is reported.</summary>
    private static readonly Dictionary<string, Expected> Expectations = new()
    {
        ["modules.toml"] = new(
            Routes: ["/", "/hello/...", "/http-example", "/error", "/log"],
            Modules: [null, null, null, null, null],
            Unsupported: ["default_host"],
            // hello.wat and error.wat are text; the .wasm examples are not in the corpus.
            Errors: ["[[module]] #1 (/) module", "[[module]] #2 (/hello/...) module", "[[module]] #3 (/http-example) module",
                "[[module]] #4 (/error) module", "[[module]] #5 (/log) module"],
            MaxOutboundConcurrency: new() { ["/http-example"] = 2 }),
        ["test1.toml"] = new(Routes: ["/"], Modules: ToastOnDemand),
        ["test2.toml"] = new(Routes: ["/"], Modules: [null], Errors: ["[[module]] #1 (/) module"]),
        ["test3.toml"] = new(
            Routes: ["/defaultep", "/ep1", "/ep2"],
            Modules: ["multiple-entrypoints.wasm", "multiple-entrypoints.wasm", "multiple-entrypoints.wasm"],
            Entrypoints: [null, "ep1", "ep2"]),
        ["test_dynamic_routes.toml"] = new(
            Routes: ["/", "/exactparent", "/exactparentslash/", "/wildcardparent/..."],
            Modules: ["dynamic-routes.wasm", "dynamic-routes.wasm", "dynamic-routes.wasm", "dynamic-routes.wasm"]),
        ["test_healthz_override.toml"] = new(
            Routes: ["/", "/healthz"],
            Modules: ["toast-on-demand.wasm", "toast-on-demand.wasm"]),
    };

    // Fields the importer maps onto the route binding; every other one must be listed as unsupported.
    private static readonly string[] MappedModuleFields =
        ["route", "module", "entrypoint", "argv", "environment", "volumes", "http_max_concurrency", "allowed_hosts"];

    public static TheoryData<string> CorpusFiles => [.. Expectations.Keys];

    [SkippableFact]
    public void Every_modules_toml_in_the_corpus_has_an_expectation_here()
    {
        var folder = RepoPaths.RequireCorpus("wagi");
        var files = Directory.EnumerateFiles(folder, "*.toml").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(Expectations.Keys.Order(StringComparer.Ordinal), files);
    }

    [SkippableTheory]
    [MemberData(nameof(CorpusFiles))]
    public void A_corpus_modules_toml_maps_to_the_expected_routes_modules_and_reports(string file)
    {
        var path = RepoPaths.RequireCorpus("wagi", file);
        var expected = Expectations[file];

        var import = WagiImporter.Read(path, new WagiImportOptions());

        Assert.Equal(expected.Routes, import.Routes.Select(r => r.Route));
        Assert.Equal(expected.Modules, import.Routes.Select(r => r.ModulePath is null ? null : Path.GetFileName(r.ModulePath)));
        Assert.All(import.Routes.Where(r => r.ModulePath is not null), r => Assert.True(File.Exists(r.ModulePath), r.ModulePath));
        Assert.Equal(expected.Entrypoints ?? new string?[expected.Routes.Length], import.Routes.Select(r => r.Entrypoint));
        Assert.Equal(expected.Unsupported ?? [], import.Unsupported.Select(u => u.Where));
        Assert.Equal(expected.Errors ?? [], import.Errors.Select(e => e.Where));
        Assert.Equal(
            expected.MaxOutboundConcurrency ?? [],
            import.Routes.Where(r => r.MaxOutboundConcurrency is not null).ToDictionary(r => r.Route, r => r.MaxOutboundConcurrency!.Value));
        Assert.Equal(
            Enumerable.Range(1, import.Routes.Count).Select(n => $"[[module]] #{n}"),
            import.Routes.Select(r => r.Origin));
    }

    [SkippableTheory]
    [MemberData(nameof(CorpusFiles))]
    public void Every_field_of_a_corpus_modules_toml_is_carried_over_or_listed(string file)
    {
        var path = RepoPaths.RequireCorpus("wagi", file);
        var raw = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(path))!;

        var import = WagiImporter.Read(path, new WagiImportOptions());

        foreach (var key in raw.Keys.Where(k => k != "module"))
        {
            Assert.Contains(import.Unsupported, u => u.Module is null && u.Field == key);
        }

        var modules = (TomlTableArray)raw["module"];
        for (var i = 0; i < modules.Count; i++)
        {
            var n = i + 1;
            foreach (var key in modules[i].Keys)
            {
                if (MappedModuleFields.Contains(key))
                {
                    // Carried over, unless it is what stopped the import (then it is named as the error).
                    var plan = import.Routes[i];
                    var carried = key switch
                    {
                        "route" => plan.Route == (string)modules[i][key],
                        "module" => plan.ModulePath is not null || import.Errors.Any(e => e.Module == n && e.Field == key),
                        "entrypoint" => plan.Entrypoint == (string)modules[i][key],
                        "http_max_concurrency" => plan.MaxOutboundConcurrency == (long)modules[i][key],
                        "allowed_hosts" => plan.AllowedHosts?.Count > 0 || import.Unsupported.Any(u => u.Module == n && u.Field == key),
                        _ => true,
                    };
                    Assert.True(carried, $"{file} [[module]] #{n} {key} was neither carried over nor reported");
                }
                else
                {
                    Assert.Contains(import.Unsupported, u => u.Module == n && u.Field == key);
                }
            }
        }
    }

    [SkippableFact]
    public void A_corpus_map_written_for_wagis_repository_finds_its_modules_beside_the_toml_and_says_so()
    {
        var path = RepoPaths.RequireCorpus("wagi", "test1.toml");

        var import = WagiImporter.Read(path, new WagiImportOptions());

        Assert.Empty(import.Errors);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(path)!, "toast-on-demand.wasm"), import.Routes.Single().ModulePath);
        Assert.Contains(import.Notes, n => n.Field == "module" && n.Message.Contains("beside the toml", StringComparison.Ordinal));
        Assert.Contains(import.Notes, n => n.Message.Contains("${PROJECT_ROOT}", StringComparison.Ordinal)
            && n.Message.Contains("the toml's folder", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void The_wagi_example_reports_text_modules_and_missing_files_and_carries_its_outbound_settings_over()
    {
        var path = RepoPaths.RequireCorpus("wagi", "modules.toml");

        var import = WagiImporter.Read(path, new WagiImportOptions());

        Assert.Contains("wat2wasm hello.wat", import.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("file not found", import.Errors[1].Message, StringComparison.Ordinal);
        var example = Assert.Single(import.Routes, r => r.Route == "/http-example");
        Assert.Equal(["https://api.brigade.sh"], example.AllowedHosts);
        Assert.Equal(2, example.MaxOutboundConcurrency);
        Assert.Null(example.Limits);
    }

    [SkippableFact]
    public void A_placeholder_other_than_project_root_is_an_error_that_says_to_give_a_path()
    {
        var path = RepoPaths.RequireCorpus("wagi", "test2.toml");

        var error = Assert.Single(WagiImporter.Read(path, new WagiImportOptions()).Errors);

        Assert.Equal("\"${SLASHY_URL}\"", error.Value);
        Assert.Contains("${SLASHY_URL} is a placeholder this import cannot fill", error.Message, StringComparison.Ordinal);
    }

    private sealed record Expected(
        string[] Routes,
        string?[] Modules,
        string?[]? Entrypoints = null,
        string[]? Unsupported = null,
        string[]? Errors = null,
        Dictionary<string, int>? MaxOutboundConcurrency = null);
}
