using System.Text.Json;
using System.Text.Json.Nodes;
using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Contracts;
using Functions.Contracts.Api;
using Functions.Files;

namespace Functions.Cli.Manifests;

/// <summary>
/// Reads an app manifest (<c>.json</c> or <c>.toml</c>, docs/cli.md): the app's name and its routes, each with a
/// module file path relative to the manifest (or a digest already uploaded, or an <c>oci://</c> reference the control
/// plane pulls) and the same optional fields as the
/// REST API. Every problem is collected, each naming its field, before anything is uploaded.
/// </summary>
internal static class ManifestReader
{
    private static readonly string[] TopLevelKeys = ["app", "routes"];
    private static readonly string[] RouteKeys =
        ["route", "module", "entrypoint", "environment", "argv", "volumes", "files", "limits", "allowed_hosts", "max_outbound_concurrency"];
    private static readonly string[] LimitKeys = ["timeoutMs", "memoryMb", "maxBodyBytes", "maxConcurrency"];

    public static AppManifest Read(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetExtension(full).ToUpperInvariant() switch
        {
            ".TOML" => TomlFile.Read(full),
            ".JSON" => ReadJson(full),
            _ => throw new CliException(
                $"{path}: a manifest is a .json or .toml file (see docs/cli.md); to deploy a single module give " +
                "--app and --route with the .wasm file."),
        };

        var problems = new List<string>();
        var manifest = Bind(root, Path.GetDirectoryName(full)!, problems);
        return problems.Count == 0
            ? manifest
            : throw new CliException($"{path} has {Count(problems.Count, "problem")}; fix them and deploy again:", problems);
    }

    /// <summary>Checks and converts a manifest tree; module paths resolve against <paramref name="folder"/>.</summary>
    public static AppManifest Bind(JsonObject root, string folder, List<string> problems)
    {
        Unknown(root, TopLevelKeys, "", "a manifest has 'app' and 'routes'", problems);
        var app = String(root, "app", "app", problems);
        if (app is not null && !AppNames.IsValid(app))
        {
            problems.Add($"app: '{app}' is not valid: {AppNames.Rule}.");
        }

        var routes = new List<RoutePlan>();
        if (root["routes"] is not JsonArray array || array.Count == 0)
        {
            problems.Add("routes: give at least one route, e.g. routes = [{ route = \"/hello\", module = \"hello.wasm\" }] " +
                "(TOML: [[routes]] tables; JSON: \"routes\": [ … ]).");
            return new AppManifest(app, routes);
        }

        for (var i = 0; i < array.Count; i++)
        {
            var at = $"routes[{i}]";
            if (array[i] is not JsonObject item)
            {
                problems.Add($"{at}: a route is a table/object with at least 'route' and 'module'.");
                continue;
            }

            Unknown(item, RouteKeys, at + ".", $"a route has {string.Join(", ", RouteKeys)}", problems);
            var route = String(item, "route", $"{at}.route", problems);
            var module = String(item, "module", $"{at}.module", problems);
            if (route is null)
            {
                problems.Add($"{at}.route: missing; e.g. \"/hello\", \"/api/...\" (a prefix) or \"/...\" (everything).");
            }

            if (module is null)
            {
                problems.Add($"{at}.module: missing; give the module file's path, relative to the manifest.");
            }

            var (modulePath, digest, reference) = module is null
                ? (null, null, null)
                : ResolveModule(module, folder, $"{at}.module", problems);
            routes.Add(new RoutePlan
            {
                Route = route ?? "",
                ModulePath = modulePath,
                ModuleDigest = digest,
                ModuleReference = reference,
                Entrypoint = String(item, "entrypoint", $"{at}.entrypoint", problems),
                Environment = Environment(item["environment"], $"{at}.environment", problems),
                Argv = String(item, "argv", $"{at}.argv", problems),
                Volumes = Volumes(item["volumes"], $"{at}.volumes", problems),
                Files = Files(item["files"], folder, $"{at}.files", problems),
                Limits = Limits(item["limits"], $"{at}.limits", problems),
                AllowedHosts = AllowedHosts(item["allowed_hosts"], $"{at}.allowed_hosts", problems),
                MaxOutboundConcurrency = (int?)Integer(item, "max_outbound_concurrency", at, int.MaxValue, problems),
                Origin = at,
            });
        }

        return new AppManifest(app, routes);
    }

    private static JsonObject ReadJson(string path)
    {
        var text = FileText.Read(path);
        try
        {
            var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
            return JsonNode.Parse(text, documentOptions: options) as JsonObject
                ?? throw new CliException($"{path}: a manifest is a JSON object {{\"app\": …, \"routes\": […]}}.");
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not valid JSON: {e.Message}");
        }
    }

    private static (string? Path, string? Digest, string? Reference) ResolveModule(
        string module, string folder, string at, List<string> problems)
    {
        if (module.StartsWith(ContentDigest.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            if (ContentDigest.Normalize(module) is { } digest)
            {
                return (null, digest, null);
            }

            problems.Add($"{at}: '{module}' is not a digest: 'sha256:' is followed by 64 hex digits.");
            return (null, null, null);
        }

        if (OciModules.IsReference(module))
        {
            if (OciModules.Normalize(module, out var error) is { } reference)
            {
                return (null, null, reference);
            }

            problems.Add($"{at}: {error}");
            return (null, null, null);
        }

        var path = Path.GetFullPath(Path.Combine(folder, module));
        if (!File.Exists(path))
        {
            problems.Add($"{at}: file not found: {path} (module paths are relative to the manifest's folder; a module " +
                "in a registry is written oci://HOST/REPOSITORY:TAG).");
            return (null, null, null);
        }

        return (path, null, null);
    }

    private static string? String(JsonObject item, string key, string at, List<string> problems)
    {
        var node = item[key];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return text;
        }

        problems.Add($"{at}: expected a string, got {Describe(node)}.");
        return null;
    }

    private static Dictionary<string, string>? Environment(JsonNode? node, string at, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject table)
        {
            problems.Add($"{at}: expected a table of NAME = \"value\", got {Describe(node)}.");
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in table)
        {
            if (Scalar(value) is { } text)
            {
                result[name] = text;
            }
            else
            {
                problems.Add($"{at}.{name}: a variable's value is a string (or a number or boolean), got {Describe(value)}.");
            }
        }

        return result;
    }

    private static Dictionary<string, VolumeRequest>? Volumes(JsonNode? node, string at, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject table)
        {
            problems.Add($"{at}: expected a table of \"/guest\" = \"host/dir\", got {Describe(node)}.");
            return null;
        }

        var result = new Dictionary<string, VolumeRequest>(StringComparer.Ordinal);
        foreach (var (guest, value) in table)
        {
            var key = $"{at}.\"{guest}\"";
            switch (value)
            {
                case JsonValue v when v.TryGetValue<string>(out var host):
                    result[guest] = new VolumeRequest { Path = host };
                    break;
                case JsonObject volume:
                    Unknown(volume, ["path", "writable"], key + ".", "a volume has 'path' and 'writable'", problems);
                    var path = String(volume, "path", $"{key}.path", problems);
                    var writable = volume["writable"] switch
                    {
                        null => false,
                        JsonValue w when w.TryGetValue<bool>(out var flag) => flag,
                        var other => Problem(problems, $"{key}.writable: expected true or false, got {Describe(other)}.", false),
                    };
                    if (path is null)
                    {
                        problems.Add($"{key}.path: missing; give the host directory.");
                    }
                    else
                    {
                        result[guest] = new VolumeRequest { Path = path, Writable = writable };
                    }

                    break;
                default:
                    problems.Add($"{key}: a volume is a host directory string, or {{ path = \"dir\", writable = true }}; " +
                        $"got {Describe(value)}.");
                    break;
            }
        }

        return result;
    }

    private static Dictionary<string, BundlePlan>? Files(JsonNode? node, string folder, string at, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject table)
        {
            problems.Add($"{at}: expected a table of \"/guest/path\" = \"folder/\", e.g. files = {{ \"/\" = \"site/\" }}; " +
                $"got {Describe(node)}.");
            return null;
        }

        var result = new Dictionary<string, BundlePlan>(StringComparer.Ordinal);
        foreach (var (guest, value) in table)
        {
            var key = $"{at}.\"{guest}\"";
            if (!guest.StartsWith('/'))
            {
                problems.Add($"{key}: the guest path is absolute, e.g. \"/\" or \"/static\".");
                continue;
            }

            if (value is not JsonValue v || !v.TryGetValue<string>(out var source) || source.Length == 0)
            {
                problems.Add($"{key}: give a folder relative to the manifest (e.g. \"site/\") or the digest of a bundle " +
                    $"uploaded earlier (sha256:…); got {Describe(value)}.");
                continue;
            }

            if (source.StartsWith(BundleDigest.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                if (BundleDigest.Normalize(source) is { } digest)
                {
                    result[guest] = BundlePlan.FromDigest(digest);
                }
                else
                {
                    problems.Add($"{key}: '{source}' is not a digest: {BundleDigest.FormatHint}.");
                }

                continue;
            }

            var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(folder, source)));
            if (Directory.Exists(path))
            {
                result[guest] = BundlePlan.FromFolder(path, source);
            }
            else
            {
                problems.Add(File.Exists(path)
                    ? $"{key}: {path} is a file; files mounts a folder: put the file in a folder and give the folder."
                    : $"{key}: folder not found: {path} (folders are relative to the manifest's folder).");
            }
        }

        return result;
    }

    private static LimitsRequest? Limits(JsonNode? node, string at, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject table)
        {
            problems.Add($"{at}: expected a table with {string.Join(", ", LimitKeys)}, got {Describe(node)}.");
            return null;
        }

        Unknown(table, LimitKeys, at + ".", $"limits are {string.Join(", ", LimitKeys)}", problems);
        return new LimitsRequest
        {
            TimeoutMs = (int?)Integer(table, "timeoutMs", at, int.MaxValue, problems),
            MemoryMb = (int?)Integer(table, "memoryMb", at, int.MaxValue, problems),
            MaxBodyBytes = Integer(table, "maxBodyBytes", at, long.MaxValue, problems),
            MaxConcurrency = (int?)Integer(table, "maxConcurrency", at, int.MaxValue, problems),
        };
    }

    /// <summary>The origins as written (the control plane normalises them); each one that is not a plain origin is a
    /// problem here already, before anything is uploaded.</summary>
    private static List<string>? AllowedHosts(JsonNode? node, string at, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        var hosts = new List<string>();
        if (node is not JsonArray array)
        {
            problems.Add($"{at}: expected an array of origins, e.g. allowed_hosts = [\"{OutboundOrigins.Example}\"], " +
                $"got {Describe(node)}.");
            return null;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonValue value || !value.TryGetValue<string>(out var host))
            {
                problems.Add($"{at}[{i}]: expected an origin string such as \"{OutboundOrigins.Example}\", got {Describe(array[i])}.");
            }
            else if (!OutboundOrigins.TryNormalize(host, out _, out var problem))
            {
                problems.Add($"{at}[{i}]: '{host}': {problem}.");
            }
            else
            {
                hosts.Add(host);
            }
        }

        return hosts;
    }

    private static long? Integer(JsonObject table, string key, string at, long max, List<string> problems)
    {
        var node = table[key];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<long>(out var number) && number <= max)
        {
            return number;
        }

        problems.Add($"{at}.{key}: expected a whole number, got {Describe(node)}.");
        return null;
    }

    /// <summary>Strings as they are; numbers and booleans as written.</summary>
    internal static string? Scalar(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() is JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    internal static string Describe(JsonNode? node) => node switch
    {
        null => "nothing",
        JsonObject => "a table",
        JsonArray => "an array",
        _ => node.ToJsonString(),
    };

    private static void Unknown(JsonObject table, string[] known, string prefix, string hint, List<string> problems)
    {
        foreach (var key in table.Select(p => p.Key).Where(k => !known.Contains(k, StringComparer.Ordinal)))
        {
            var near = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)
                || string.Equals(k.Replace("_", "", StringComparison.Ordinal), key.Replace("_", "", StringComparison.Ordinal),
                    StringComparison.OrdinalIgnoreCase));
            problems.Add(near is null
                ? $"{prefix}{key}: unknown field; {hint}."
                : $"{prefix}{key}: unknown field; did you mean '{near}'?");
        }
    }

    private static T Problem<T>(List<string> problems, string message, T value)
    {
        problems.Add(message);
        return value;
    }

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
