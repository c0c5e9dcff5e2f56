using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;

namespace Functions.Cli.Manifests;

/// <summary>
/// Reads a TOML file as a JSON tree, so that TOML and JSON manifests (and WAGI's modules.toml) are checked by one
/// piece of code. Tables become objects, arrays and arrays of tables become arrays; dates become strings.
/// </summary>
internal static class TomlFile
{
    public static JsonObject Read(string path)
    {
        var text = FileText.Read(path);
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = path })
                ?? new TomlTable();
        }
        catch (TomlException e)
        {
            throw new CliException($"{path} is not valid TOML: {e.Message}");
        }

        return ToJson(table);
    }

    private static JsonObject ToJson(TomlTable table)
    {
        var result = new JsonObject();
        foreach (var (key, value) in table)
        {
            result[key] = ToJson(value);
        }

        return result;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        TomlTable table => ToJson(table),
        TomlTableArray tables => new JsonArray([.. tables.Select(t => (JsonNode?)ToJson(t))]),
        TomlArray array => new JsonArray([.. array.Select(ToJson)]),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
