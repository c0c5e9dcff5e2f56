namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>Navigation over the plain trees <see cref="YamlFile"/> produces; a missing step gives null.</summary>
internal static class Tree
{
    public static object? At(this object? node, params string[] path)
    {
        foreach (var step in path)
        {
            if (node is not Dictionary<string, object?> map || !map.TryGetValue(step, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static Dictionary<string, object?>? MapAt(this object? node, params string[] path) =>
        node.At(path) as Dictionary<string, object?>;

    public static string? StringAt(this object? node, params string[] path) => node.At(path) as string;

    public static IReadOnlyList<object?> ListAt(this object? node, params string[] path) =>
        node.At(path) as List<object?> ?? [];

    public static IEnumerable<Dictionary<string, object?>> MapsAt(this object? node, params string[] path) =>
        node.ListAt(path).OfType<Dictionary<string, object?>>();

    /// <summary>A map of strings (labels, selectors, ConfigMap data); non-string values are left out.</summary>
    public static Dictionary<string, string> StringsAt(this object? node, params string[] path) =>
        node.MapAt(path)?.Where(entry => entry.Value is string)
            .ToDictionary(entry => entry.Key, entry => (string)entry.Value!, StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    public static object? DeepCopy(object? node) => node switch
    {
        Dictionary<string, object?> map => map.ToDictionary(entry => entry.Key, entry => DeepCopy(entry.Value), StringComparer.Ordinal),
        List<object?> list => list.Select(DeepCopy).ToList(),
        _ => node,
    };

    /// <summary>Structural equality; map order does not matter, list order does.</summary>
    public static bool DeepEquals(object? a, object? b) => (a, b) switch
    {
        (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
            x.Count == y.Count && x.All(entry => y.TryGetValue(entry.Key, out var other) && DeepEquals(entry.Value, other)),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(pair => DeepEquals(pair.First, pair.Second)),
        _ => Equals(a, b),
    };
}
