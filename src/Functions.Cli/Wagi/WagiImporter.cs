using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Cli.Manifests;
using Functions.Contracts;
using Functions.Contracts.Api;

namespace Functions.Cli.Wagi;

/// <summary>
/// Reads a WAGI <c>modules.toml</c> (<c>[[module]]</c> tables, deislabs/wagi 0.8) as one application. Each field
/// is either mapped onto the route binding, or listed as unsupported with the reason; docs/cli.md has the table.
/// </summary>
internal static partial class WagiImporter
{
    private const string ProjectRootPlaceholder = "${PROJECT_ROOT}";

    public static WagiImport Read(string tomlPath, WagiImportOptions options)
    {
        var source = Path.GetFullPath(tomlPath);
        var root = TomlFile.Read(source);
        var folder = Path.GetDirectoryName(source)!;
        var projectRoot = options.ProjectRoot is { } given ? Path.GetFullPath(given) : folder;
        var import = new ImportBuilder(source);

        foreach (var (key, value) in root)
        {
            if (key != "module")
            {
                import.Unsupported(null, null, key, value, key == "default_host"
                    ? "not carried over: WAGI's default host name only filled SERVER_NAME when a request had no Host " +
                      "header; workers here take it from the request (or their listening address)."
                    : "not a modules.toml setting this import knows; ignored.");
            }
        }

        if (root["module"] is not JsonArray modules || modules.Count == 0)
        {
            import.Error(null, null, "module", null,
                "no [[module]] tables: a WAGI modules.toml lists each route as a [[module]] table with 'route' and 'module'.");
            return import.Build();
        }

        var usedProjectRoot = false;
        var explained = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < modules.Count; i++)
        {
            var n = i + 1;
            if (modules[i] is not JsonObject table)
            {
                import.Error(n, null, null, null, "expected a [[module]] table.");
                continue;
            }

            var route = Text(table, "route", n, null, import);
            if (route is null)
            {
                import.Error(n, null, "route", null, "missing: every [[module]] needs a route, e.g. route = \"/hello\".");
            }

            string? modulePath = null, moduleReference = null;
            if (Text(table, "module", n, route, import) is not { } reference)
            {
                import.Error(n, route, "module", null, "missing: give the module file, e.g. module = \"hello.wasm\".");
            }
            else
            {
                usedProjectRoot |= reference.Contains(ProjectRootPlaceholder, StringComparison.Ordinal);
                if (IsOci(reference))
                {
                    moduleReference = MapOciReference(reference, n, route, import);
                }
                else
                {
                    modulePath = ResolveModule(reference, folder, projectRoot, n, route, import, explained);
                }
            }

            var plan = new RoutePlan
            {
                Route = route ?? "",
                ModulePath = modulePath,
                ModuleReference = moduleReference,
                Entrypoint = Text(table, "entrypoint", n, route, import),
                Argv = Text(table, "argv", n, route, import),
                Environment = import.Environment(table["environment"], n, route),
                Volumes = options.HostVolumes ? Volumes(table, n, route, options.WritableVolumes, import) : null,
                Files = options.HostVolumes ? null : Bundles(table, folder, n, route, import),
                AllowedHosts = import.Origins(table["allowed_hosts"], n, route, "allowed_hosts"),
                MaxOutboundConcurrency = OutboundConcurrency(table, n, route, import),
                Origin = $"[[module]] #{n}",
            };

            foreach (var (key, value) in table)
            {
                switch (key)
                {
                    case "route" or "module" or "entrypoint" or "argv" or "environment" or "volumes" or "http_max_concurrency"
                        or "allowed_hosts":
                        break;
                    case "bindle_server":
                        import.Unsupported(n, route, key, value,
                            "not carried over: Bindle is not supported (modules come from files or OCI registries).");
                        break;
                    default:
                        import.Unsupported(n, route, key, value, "not a [[module]] field this import knows; ignored.");
                        break;
                }
            }

            if (route is not null)
            {
                import.Routes.Add(plan);
            }
        }

        if (usedProjectRoot)
        {
            import.Note(null, null, null, null,
                $"{ProjectRootPlaceholder} (a placeholder WAGI's own tests fill in) was read as {projectRoot}" +
                (options.ProjectRoot is null ? ", the toml's folder; --project-root sets another." : "."));
        }

        return import.Build();
    }

    private static string? ResolveModule(
        string reference, string folder, string projectRoot, int n, string? route, ImportBuilder import, HashSet<string> explained)
    {
        var expanded = reference.Replace(ProjectRootPlaceholder, projectRoot, StringComparison.Ordinal);
        if (Placeholder().Match(expanded) is { Success: true } unknown)
        {
            import.Error(n, route, "module", JsonValue.Create(reference),
                $"{unknown.Value} is a placeholder this import cannot fill (only {ProjectRootPlaceholder} is known): " +
                "replace the reference with the module file's path.");
            return null;
        }

        string path;
        if (expanded.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            // file:///abs, and file:////abs once ${PROJECT_ROOT} (itself absolute) is filled in.
            path = "/" + Uri.UnescapeDataString(expanded["file:".Length..]).TrimStart('/');
        }
        else if (Scheme().Match(expanded) is { Success: true } scheme)
        {
            import.Error(n, route, "module", JsonValue.Create(reference),
                scheme.Groups[1].Value.Equals("bindle", StringComparison.OrdinalIgnoreCase)
                    ? "not carried over: Bindle (deprecated in WAGI itself) is not an OCI registry and this platform does " +
                      "not speak it. Push the module to an OCI registry (functions push MODULE.wasm HOST/REPO:TAG) and " +
                      "write module = \"oci://HOST/REPO:TAG\", or download it and give its path."
                    : $"'{scheme.Groups[1].Value}:' references are fetched by WAGI from a server this import does not " +
                      "know: download the module and give its path, or push it to an OCI registry and write oci://HOST/REPO:TAG.");
            return null;
        }
        else
        {
            // WAGI read relative paths from its working directory; a file travels better relative to itself.
            path = Path.Combine(folder, expanded);
        }

        path = Path.GetFullPath(path);
        if (path.EndsWith(".wat", StringComparison.OrdinalIgnoreCase))
        {
            import.Error(n, route, "module", JsonValue.Create(reference),
                $"{path} is WebAssembly text, which WAGI compiled on load; this platform takes binary modules: " +
                $"compile it first (wat2wasm {Path.GetFileName(path)}) and refer to the .wasm file.");
            return null;
        }

        if (File.Exists(path))
        {
            return path;
        }

        // WAGI's test maps point into its repository (${PROJECT_ROOT}/testdata/module-maps/x.wasm); a copied-out
        // map usually sits beside its modules.
        var beside = Path.Combine(folder, Path.GetFileName(path));
        if (reference.Contains(ProjectRootPlaceholder, StringComparison.Ordinal) && File.Exists(beside))
        {
            if (explained.Add(reference))
            {
                import.Note(n, route, "module", JsonValue.Create(reference),
                    $"{path} does not exist; using {beside}, beside the toml (for every [[module]] with this reference).");
            }

            return beside;
        }

        import.Error(n, route, "module", JsonValue.Create(reference),
            $"file not found: {path} (relative paths are read from the toml's folder).");
        return null;
    }

    private static bool IsOci(string reference) => reference.StartsWith("oci:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// WAGI's <c>oci:</c> references (deislabs/wagi <c>module_loader.rs</c>): <c>oci://HOST[:PORT]/REPO:TAG</c>, or
    /// <c>oci:NAME</c> read as a Docker image name, whose first part is the registry when it holds a '.' or a ':' or
    /// is <c>localhost</c>, and Docker Hub otherwise. Those that name their registry become <c>oci://</c> references
    /// the control plane pulls; Docker Hub's implicit ones are refused, saying how to write them.
    /// </summary>
    private static string? MapOciReference(string reference, int n, string? route, ImportBuilder import)
    {
        var name = reference["oci:".Length..].TrimStart('/');
        var first = name.Split('/')[0];
        var namesRegistry = name.Contains('/', StringComparison.Ordinal) &&
            (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        if (!reference.StartsWith("oci://", StringComparison.OrdinalIgnoreCase) && !namesRegistry)
        {
            var repository = name.Contains('/', StringComparison.Ordinal) ? name : "library/" + name;
            import.Error(n, route, "module", JsonValue.Create(reference),
                "not carried over: this reference names no registry, so WAGI pulled it from Docker Hub; here a reference " +
                $"names its registry: write module = \"oci://registry-1.docker.io/{repository}\" (Docker Hub's registry " +
                "host) or, better, push the module to your own registry (functions push).");
            return null;
        }

        if (OciModules.Normalize(OciModules.Scheme + name, out var error) is not { } normalized)
        {
            import.Error(n, route, "module", JsonValue.Create(reference), error!);
            return null;
        }

        import.Note(n, route, "module", JsonValue.Create(reference),
            $"pulled by the control plane from its registry as {normalized}, with the control plane's credentials for " +
            "that registry (Functions:Registries); the release names the digest it was pulled as.");
        return normalized;
    }

    private static string? Text(JsonObject table, string key, int n, string? route, ImportBuilder import)
    {
        var node = table[key];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text;
        }

        import.Error(n, route, key, node, "expected a string.");
        return null;
    }


    private static Dictionary<string, VolumeRequest>? Volumes(JsonObject table, int n, string? route, bool writable, ImportBuilder import)
    {
        if (table["volumes"] is not { } node)
        {
            return null;
        }

        if (node is not JsonObject volumes)
        {
            import.Error(n, route, "volumes", node, "expected a table of \"/guest/path\" = \"/host/path\".");
            return null;
        }

        var result = new Dictionary<string, VolumeRequest>(StringComparer.Ordinal);
        foreach (var (guest, value) in volumes)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var host))
            {
                result[GuestPath(guest, n, route, import)] = new VolumeRequest { Path = host, Writable = writable };
            }
            else
            {
                import.Error(n, route, $"volumes.\"{guest}\"", value, "expected the host directory as a string.");
            }
        }

        import.Note(n, route, "volumes", node, (writable
                ? "mapped writable, as WAGI did (--writable-volumes). "
                : "mapped read-only; WAGI let modules write to them: pass --writable-volumes to keep that. ") +
            "Host paths are passed as written: the control plane resolves them under its volumes root " +
            "(Functions:VolumesRoot), on its machine, not this one.");
        return result;
    }

    private static Dictionary<string, BundlePlan>? Bundles(JsonObject table, string folder, int n, string? route, ImportBuilder import)
    {
        if (table["volumes"] is not { } node)
        {
            return null;
        }

        if (node is not JsonObject volumes)
        {
            import.Error(n, route, "volumes", node, "expected a table of \"/guest/path\" = \"/host/path\".");
            return null;
        }

        var result = new Dictionary<string, BundlePlan>(StringComparer.Ordinal);
        foreach (var (guest, value) in volumes)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var host))
            {
                import.Error(n, route, $"volumes.\"{guest}\"", value, "expected the host directory as a string.");
                continue;
            }

            // WAGI read relative host paths from its working directory; as for modules, the toml's folder is used.
            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(folder, host)));
            if (!Directory.Exists(path))
            {
                import.Error(n, route, $"volumes.\"{guest}\"", value,
                    $"folder not found: {path} (relative paths are read from the toml's folder). Volumes are packed " +
                    "into file bundles that travel with the app; to keep a host path the control plane's workers resolve " +
                    "under their volumes root instead, pass --host-volumes.");
                continue;
            }

            result[GuestPath(guest, n, route, import)] = BundlePlan.FromFolder(path, host);
        }

        import.Note(n, route, "volumes", node,
            "each folder is packed into a file bundle, uploaded with the app and mounted read-only at its guest path " +
            "on every worker. WAGI let modules write to volumes; to keep host-path volumes (writable with " +
            "--writable-volumes), pass --host-volumes.");
        return result;
    }

    /// <summary>
    /// WAGI passed guest paths to Wasmtime as written, and site templates write them relative (<c>"content/"</c>):
    /// a WASI module resolves relative paths from <c>/</c>, so such a folder is the module's <c>/content</c>. The
    /// platform takes absolute, normalised guest paths: relative ones are anchored at <c>/</c>, <c>.</c> segments
    /// and trailing slashes dropped, with a note. Anything else (e.g. <c>..</c>) is passed on for the control plane
    /// to refuse with its own message.
    /// </summary>
    internal static string GuestPath(string guest, int n, string? route, ImportBuilder import)
    {
        var segments = guest.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            return guest;
        }

        var normalized = "/" + string.Join('/', segments);
        if (normalized != guest)
        {
            import.Note(n, route, $"volumes.\"{guest}\"", JsonValue.Create(guest),
                $"guest path '{guest}' mounted at '{normalized}' (a WASI module resolves relative paths from '/').");
        }

        return normalized;
    }

    /// <summary>WAGI's <c>http_max_concurrency</c>: the module's outbound HTTP requests in flight at once, as here.</summary>
    private static int? OutboundConcurrency(JsonObject table, int n, string? route, ImportBuilder import)
    {
        if (table["http_max_concurrency"] is not { } node)
        {
            return null;
        }

        if (node is not JsonValue value || !value.TryGetValue<long>(out var limit) || limit is < 1 or > int.MaxValue)
        {
            import.Error(n, route, "http_max_concurrency", node, "expected a positive whole number.");
            return null;
        }

        if (limit > OutboundOrigins.MaxConcurrencyCeiling)
        {
            import.Note(n, route, "http_max_concurrency", node,
                $"mapped to maxOutboundConcurrency = {OutboundOrigins.MaxConcurrencyCeiling}, the most a route may have.");
            return OutboundOrigins.MaxConcurrencyCeiling;
        }

        return (int)limit;
    }

    [GeneratedRegex(@"\$\{[^}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    // A URL scheme such as oci:, bindle:, https: (two letters at least, so a Windows drive is not one).
    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.-]+):", RegexOptions.CultureInvariant)]
    private static partial Regex Scheme();
}
