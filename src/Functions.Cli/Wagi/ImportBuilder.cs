using System.Text.Json.Nodes;
using Functions.Cli.Deploying;

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
