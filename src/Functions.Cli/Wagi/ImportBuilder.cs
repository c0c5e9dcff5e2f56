using System.Text.Json.Nodes;
using Functions.Cli.Deploying;
using Functions.Contracts;

namespace Functions.Cli.Wagi;

/// <summary>Collects an import's routes and its issues (not carried over, notes, errors) as it reads a manifest.</summary>
internal sealed class ImportBuilder(string source)
{
    private static readonly System.Text.Json.JsonSerializerOptions WrittenOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly List<ImportIssue> unsupported = [];
    private readonly List<ImportIssue> notes = [];
    private readonly List<ImportIssue> errors = [];

    public List<RoutePlan> Routes { get; } = [];

    public string? AppName { get; set; }

    public void Unsupported(int? n, string? route, string? field, JsonNode? value, string message, string? table = null) =>
        unsupported.Add(new ImportIssue(n, route, field, Written(value) ?? "null", message, table));

    public void Note(int? n, string? route, string? field, JsonNode? value, string message, string? table = null) =>
        notes.Add(new ImportIssue(n, route, field, Written(value), message, table));

    public void Error(int? n, string? route, string? field, JsonNode? value, string message, string? table = null) =>
        errors.Add(new ImportIssue(n, route, field, Written(value), message, table));

    /// <summary>
    /// The entries of an allowed-hosts list that are plain origins, normalised, duplicates collapsed; each other entry
    /// (a wildcard, a path, another scheme, "insecure:allow-all") listed as not carried over with the reason. Null when
    /// the field is absent.
    /// </summary>
    public List<string>? Origins(JsonNode? node, int? n, string? route, string field, string? table = null)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            Error(n, route, field, node, $"expected an array of origins, e.g. [\"{OutboundOrigins.Example}\"].", table);
            return null;
        }

        var kept = new List<string>();
        foreach (var entry in array)
        {
            var text = entry is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
            if (!OutboundOrigins.TryNormalize(text, out var origin, out var problem))
            {
                Unsupported(n, route, field, entry, $"not carried over: {(text is null ? "not a string" : problem)}; only " +
                    "plain origins (http or https, a host, an optional port) can be allowed here.", table);
            }
            else if (!kept.Contains(origin))
            {
                kept.Add(origin);
            }
        }

        if (kept.Count > OutboundOrigins.MaxHosts)
        {
            Error(n, route, field, null, $"{kept.Count} origins; a route may allow at most {OutboundOrigins.MaxHosts}.", table);
        }

        return kept;
    }

    /// <summary>An <c>environment</c> table of NAME = "value" (numbers and booleans as written); null when absent.</summary>
    public Dictionary<string, string>? Environment(JsonNode? node, int? n, string? route, string? table = null)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject variables)
        {
            Error(n, route, "environment", node, "expected a table of NAME = \"value\".", table);
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            if (Manifests.ManifestReader.Scalar(value) is { } text)
            {
                result[name] = text;
            }
            else
            {
                Error(n, route, $"environment.{name}", value, "expected a string.", table);
            }
        }

        return result;
    }

    public WagiImport Build() => new(source, Routes, unsupported, notes, errors, AppName);

    // As written in the file (TOML and JSON agree on strings, numbers, arrays), without \u-escaping paths.
    private static string? Written(JsonNode? value) => value?.ToJsonString(WrittenOptions);
}
