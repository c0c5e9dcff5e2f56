using System.Text.Json.Nodes;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Cli.Manifests;
using Functions.Cli.Wagi;

namespace Functions.Cli.Spin;

/// <summary>
/// Reads a Spin manifest (<c>spin.toml</c>, manifest version 1 or 2) as one application: every HTTP component that
/// runs on the WAGI executor becomes a route; everything else is listed with the reason it is not carried over.
/// docs/cli.md has the table.
/// </summary>
internal static class SpinImporter
{
    private const string SpinExecutorReason =
        "not carried over: the component runs on Spin's own executor (a component-model HTTP handler); only " +
        "components with executor = { type = \"wagi\" } run here.";

    public static WagiImport Read(string tomlPath)
    {
        var source = Path.GetFullPath(tomlPath);
        var root = TomlFile.Read(source);
        var import = new ImportBuilder(source);
        var context = new Context(Path.GetDirectoryName(source)!, import);

        var version = ManifestReader.Scalar(root["spin_manifest_version"]) ?? ManifestReader.Scalar(root["spin_version"]);
        switch (version)
        {
            case "1":
                ReadVersion1(root, context);
                break;
            case "2":
                ReadVersion2(root, context);
                break;
            default:
                import.Error(null, null, "spin_manifest_version", root["spin_manifest_version"] ?? root["spin_version"],
                    version is null
                        ? "missing: a Spin manifest starts with spin_manifest_version = 2 (or spin_manifest_version = \"1\" / " +
                          "spin_version = \"1\" for version 1)."
                        : "this import reads Spin manifest versions 1 and 2.");
                return import.Build();
        }

        if (import.Routes.Count == 0)
        {
            import.Error(null, null, null, null,
                "no component can be imported: nothing would be deployed. Components need an HTTP trigger and " +
                "executor = { type = \"wagi\" } (see the list of what was not carried over).");
        }

        return import.Build();
    }

    private static void ReadVersion1(JsonObject root, Context context)
    {
        var import = context.Import;
        var trigger = root["trigger"] as JsonObject;
        var triggerType = ManifestReader.Scalar(trigger?["type"]);
        var basePath = ManifestReader.Scalar(trigger?["base"]) ?? "/";
        import.AppName = ManifestReader.Scalar(root["name"]);

        foreach (var (key, value) in root)
        {
            switch (key)
            {
                case "spin_manifest_version" or "spin_version" or "name" or "component":
                    break;
                case "trigger":
                    foreach (var (field, setting) in trigger ?? [])
                    {
                        if (field is not ("type" or "base"))
                        {
                            import.Unsupported(null, null, $"trigger.{field}", setting, "not a trigger setting this import knows; ignored.");
                        }
                    }

                    break;
                default:
                    TopLevel(key, value, import);
                    break;
            }
        }

        if (root["component"] is not JsonArray components || components.Count == 0)
        {
            import.Error(null, null, "component", null, "no [[component]] tables: a version 1 manifest lists each as [[component]].");
            return;
        }

        for (var i = 0; i < components.Count; i++)
        {
            if (components[i] is not JsonObject component)
            {
                import.Error(i + 1, null, null, null, "expected a [[component]] table.", $"[[component]] #{i + 1}");
                continue;
            }

            var id = ManifestReader.Scalar(component["id"]) ?? $"#{i + 1}";
            var table = $"[[component]] {id}";
            var componentTrigger = component["trigger"] as JsonObject;
            if (triggerType is not null and not "http" || componentTrigger?["channel"] is not null)
            {
                import.Unsupported(null, null, null, componentTrigger,
                    $"not carried over: a {triggerType ?? "redis"} trigger; only HTTP triggers are served here.", table);
                continue;
            }

            var route = ManifestReader.Scalar(componentTrigger?["route"]);
            if (route is null)
            {
                import.Error(null, null, "trigger.route", null, "missing: an HTTP component needs [component.trigger] route = \"/…\".", table);
                continue;
            }

            if (!Executor(componentTrigger!["executor"], table, route, import, out var entrypoint, out var argv))
            {
                continue;
            }

            foreach (var (field, setting) in componentTrigger)
            {
                if (field is not ("route" or "executor"))
                {
                    import.Unsupported(null, route, $"trigger.{field}", setting, "not a trigger setting this import knows; ignored.", table);
                }
            }

            var plan = Component(component, id, table, route, context);
            if (plan is not null)
            {
                AddRoute(plan, route, basePath, table, entrypoint, argv, context);
            }
        }
    }

    private static void ReadVersion2(JsonObject root, Context context)
    {
        var import = context.Import;
        var application = root["application"] as JsonObject;
        import.AppName = ManifestReader.Scalar(application?["name"]);
        var basePath = ManifestReader.Scalar(application?["trigger"]?["http"]?["base"]) ?? "/";

        foreach (var (key, value) in root)
        {
            switch (key)
            {
                case "spin_manifest_version" or "component" or "trigger":
                    break;
                case "application":
                    foreach (var (field, setting) in application ?? [])
                    {
                        switch (field)
                        {
                            case "name":
                                break;
                            case "trigger":
                                foreach (var (type, settings) in setting as JsonObject ?? [])
                                {
                                    foreach (var (name, option) in settings as JsonObject ?? [])
                                    {
                                        if (type != "http" || name != "base")
                                        {
                                            import.Unsupported(null, null, $"application.trigger.{type}.{name}", option,
                                                "not carried over: only the HTTP trigger's base is read.");
                                        }
                                    }
                                }

                                break;
                            default:
                                TopLevel($"application.{field}", setting, import);
                                break;
                        }
                    }

                    break;
                default:
                    TopLevel(key, value, import);
                    break;
            }
        }

        var components = root["component"] as JsonObject ?? [];
        var used = new HashSet<string>(StringComparer.Ordinal);
        var plans = new Dictionary<string, ComponentPlan?>(StringComparer.Ordinal);
        foreach (var (type, triggers) in root["trigger"] as JsonObject ?? [])
        {
            if (type != "http")
            {
                import.Unsupported(null, null, $"trigger.{type}", triggers,
                    $"not carried over: {type} triggers; only HTTP triggers are served here.");
                foreach (var other in triggers as JsonArray ?? [])
                {
                    if (ManifestReader.Scalar(other?["component"]) is { } id)
                    {
                        used.Add(id);
                    }
                }

                continue;
            }

            var list = triggers as JsonArray ?? [];
            for (var i = 0; i < list.Count; i++)
            {
                var table = $"[[trigger.http]] #{i + 1}";
                if (list[i] is not JsonObject trigger)
                {
                    import.Error(null, null, null, list[i], "expected a [[trigger.http]] table.", table);
                    continue;
                }

                if (ManifestReader.Scalar(trigger["component"]) is { } referenced)
                {
                    used.Add(referenced); // listed with its trigger if that is not imported, not as unused
                }

                var routeNode = trigger["route"];
                var route = ManifestReader.Scalar(routeNode);
                if (route is null)
                {
                    import.Unsupported(null, null, "route", routeNode, routeNode is JsonObject
                        ? "not carried over: a private route (only callable from other components); routes here are public."
                        : "missing: give route = \"/…\"; this trigger is not imported.", table);
                    continue;
                }

                if (!Executor(trigger["executor"], table, route, import, out var entrypoint, out var argv))
                {
                    continue;
                }

                foreach (var (field, setting) in trigger)
                {
                    if (field is not ("route" or "component" or "executor" or "id"))
                    {
                        import.Unsupported(null, route, field, setting, "not a trigger setting this import knows; ignored.", table);
                    }
                }

                ComponentPlan? plan;
                switch (trigger["component"])
                {
                    case JsonValue reference when reference.TryGetValue<string>(out var id):
                        if (!plans.TryGetValue(id, out plan))
                        {
                            plan = components[id] is JsonObject component
                                ? Component(component, id, $"[component.{id}]", route, context)
                                : Missing(id, table, route, import);
                            plans[id] = plan;
                        }

                        break;
                    case JsonObject inline:
                        plan = Component(inline, $"{table} component", $"{table} component", route, context);
                        break;
                    default:
                        import.Error(null, route, "component", trigger["component"],
                            "give the component's id (component = \"web\", with a [component.web] table) or an inline table.", table);
                        continue;
                }

                if (plan is not null)
                {
                    AddRoute(plan, route, basePath, table, entrypoint, argv, context);
                }
            }
        }

        foreach (var (id, component) in components)
        {
            if (!used.Contains(id))
            {
                import.Unsupported(null, null, null, null, "not carried over: no HTTP trigger uses this component.", $"[component.{id}]");
            }
        }
    }

    private static ComponentPlan? Missing(string id, string table, string route, ImportBuilder import)
    {
        import.Error(null, route, "component", JsonValue.Create(id), $"no [component.{id}] table defines it.", table);
        return null;
    }

    /// <summary>False (with the reason listed) unless the trigger runs its component on the WAGI executor.</summary>
    private static bool Executor(JsonNode? node, string table, string route, ImportBuilder import, out string? entrypoint, out string? argv)
    {
        entrypoint = null;
        argv = null;
        var type = ManifestReader.Scalar(node?["type"]);
        if (type != "wagi")
        {
            import.Unsupported(null, route, "executor", node, node is null || type == "spin"
                ? SpinExecutorReason
                : $"not carried over: the executor '{type}' is not known; only executor = {{ type = \"wagi\" }} runs here.", table);
            return false;
        }

        foreach (var (field, value) in (JsonObject)node!)
        {
            switch (field)
            {
                case "type":
                    break;
                case "entrypoint":
                    entrypoint = ManifestReader.Scalar(value);
                    break;
                case "argv":
                    argv = ManifestReader.Scalar(value);
                    break;
                default:
                    import.Unsupported(null, route, $"executor.{field}", value, "not a WAGI executor setting this import knows; ignored.", table);
                    break;
            }
        }

        return true;
    }

    private static ComponentPlan? Component(JsonObject component, string id, string table, string route, Context context)
    {
        var import = context.Import;
        string? modulePath = null;
        switch (component["source"])
        {
            case JsonValue value when value.TryGetValue<string>(out var file):
                var path = Path.GetFullPath(Path.Combine(context.Folder, file));
                if (File.Exists(path))
                {
                    modulePath = path;
                }
                else
                {
                    var build = ManifestReader.Scalar(component["build"]?["command"]);
                    import.Error(null, route, "source", value, $"file not found: {path} (paths are relative to the spin.toml)" +
                        (build is null ? "." : $"; build it first: {build}"), table);
                }

                break;
            case JsonObject remote when remote["url"] is not null:
                import.Unsupported(null, route, "source", remote,
                    "not carried over: the module is fetched from a URL; this import uploads local files only. Download " +
                    "it, check its digest, and give source = \"its/path.wasm\".", table);
                return null;
            case null:
                import.Error(null, route, "source", null, "missing: give the module file, e.g. source = \"app.wasm\".", table);
                break;
            case var other:
                import.Unsupported(null, route, "source", other,
                    "not carried over: only a local file (source = \"app.wasm\") is uploaded.", table);
                return null;
        }

        var environment = import.Environment(component["environment"], null, route, table);
        List<string>? allowedHosts = null;
        var files = SpinFiles.Plan(component["files"], component["exclude_files"], id, table, route, context.Folder, import);
        foreach (var (field, value) in component)
        {
            switch (field)
            {
                case "id" or "source" or "environment" or "files" or "exclude_files" or "trigger" or "description":
                    break;
                case "build":
                    import.Note(null, route, field, value, "not run: build the component first (spin build) so that its source exists.", table);
                    break;
                case "allowed_outbound_hosts" or "allowed_http_hosts":
                    // Spin 2's and Spin 1's names for the same list; a component that gives both allows both.
                    allowedHosts = [.. (allowedHosts ?? []).Union(import.Origins(value, null, route, field, table) ?? [])];
                    break;
                default:
                    if (value is JsonArray { Count: 0 } or JsonObject { Count: 0 })
                    {
                        break; // nothing asked for, nothing lost
                    }

                    import.Unsupported(null, route, field, value, Reason(field), table);
                    break;
            }
        }

        return new ComponentPlan(modulePath, environment, files, allowedHosts);
    }

    private static void AddRoute(
        ComponentPlan plan, string route, string basePath, string table, string? entrypoint, string? argv, Context context)
    {
        var mapped = SpinRoutes.Map(basePath, route, out var problem);
        if (mapped is null)
        {
            context.Import.Error(null, route, "route", JsonValue.Create(route), problem!, table);
            return;
        }

        context.Import.Routes.Add(new RoutePlan
        {
            Route = mapped,
            ModulePath = plan.ModulePath,
            Entrypoint = entrypoint,
            Argv = argv,
            Environment = plan.Environment,
            Files = plan.Files is null ? null : new Dictionary<string, BundlePlan>(StringComparer.Ordinal) { ["/"] = plan.Files },
            AllowedHosts = plan.AllowedHosts,
            Origin = table,
        });
    }


    private static void TopLevel(string key, JsonNode? value, ImportBuilder import)
    {
        switch (key)
        {
            case "version" or "description" or "authors" or "application.version" or "application.description" or "application.authors":
                import.Note(null, null, key, value, "descriptive metadata; the platform does not keep it.");
                break;
            case "variables":
                import.Unsupported(null, null, key, value,
                    "not carried over: application variables (and {{ }} templates that read them) are not supported; " +
                    "give the values as environment variables of the components.");
                break;
            default:
                import.Unsupported(null, null, key, value, "not a manifest setting this import knows; ignored.");
                break;
        }
    }

    private static string Reason(string field) => field switch
    {
        "key_value_stores" => "not carried over: there is no key-value store for modules here.",
        "sqlite_databases" => "not carried over: there are no SQLite databases for modules here.",
        "ai_models" => "not carried over: there is no AI inferencing for modules here.",
        "variables" or "config" => "not carried over: component variables are not supported; use environment instead.",
        "dependencies" or "dependencies_inherit_configuration" =>
            "not carried over: component dependencies are a component-model feature; modules here are WAGI modules.",
        _ => "not a component setting this import knows; ignored.",
    };

    private sealed record Context(string Folder, ImportBuilder Import);

    private sealed record ComponentPlan(
        string? ModulePath, IReadOnlyDictionary<string, string>? Environment, BundlePlan? Files, IReadOnlyList<string>? AllowedHosts);
}
