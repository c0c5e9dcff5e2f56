using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>
/// Loads YAML as plain trees: maps are <see cref="Dictionary{TKey,TValue}"/> by string, sequences are lists, scalars
/// stay strings (no type guessing: <c>"8080"</c> and <c>8080</c> both read "8080"). Merge keys (<c>&lt;&lt;: *anchor</c>),
/// which compose files use, are resolved.
/// </summary>
internal static class YamlFile
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static IReadOnlyList<Dictionary<string, object?>> LoadDocuments(string path)
    {
        try
        {
            return ParseDocuments(File.ReadAllText(path));
        }
        catch (YamlException e)
        {
            throw new InvalidOperationException($"{RepoFile.Relative(path)} is not valid YAML: {e.Message}", e);
        }
    }

    public static Dictionary<string, object?> Load(string path) =>
        LoadDocuments(path) is [var single]
            ? single
            : throw new InvalidOperationException($"{RepoFile.Relative(path)} must hold exactly one YAML document.");

    public static IReadOnlyList<Dictionary<string, object?>> ParseDocuments(string text)
    {
        var parser = new MergingParser(new Parser(new StringReader(text)));
        var documents = new List<Dictionary<string, object?>>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            switch (Normalize(Deserializer.Deserialize<object?>(parser)))
            {
                case null:
                    break; // an empty document, e.g. after a trailing '---'
                case Dictionary<string, object?> map:
                    documents.Add(map);
                    break;
                case var other:
                    throw new InvalidOperationException($"A YAML document must be a map, not {other.GetType().Name}.");
            }
        }

        parser.Consume<StreamEnd>();
        return documents;
    }

    private static object? Normalize(object? node) => node switch
    {
        null => null,
        IDictionary<object, object?> map => map.ToDictionary(
            entry => Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            entry => Normalize(entry.Value),
            StringComparer.Ordinal),
        string text => text,
        IEnumerable<object?> list => list.Select(Normalize).ToList(),
        _ => Convert.ToString(node, System.Globalization.CultureInfo.InvariantCulture),
    };
}
