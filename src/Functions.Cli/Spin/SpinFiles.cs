using System.Text.Json.Nodes;
using Functions.Cli.Files;
using Functions.Cli.Manifests;
using Functions.Cli.Wagi;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace Functions.Cli.Spin;

/// <summary>
/// A Spin component's <c>files</c> as one bundle mounted at <c>/</c>: a string is a file, a folder or a glob relative
/// to the spin.toml, placed at the same relative path; <c>{ source = "dir", destination = "/x" }</c> places a folder
/// (or file) at <c>/x</c>. <c>exclude_files</c> globs remove matches of the strings, as in Spin.
/// </summary>
internal static class SpinFiles
{
    public static BundlePlan? Plan(JsonNode? node, JsonNode? excludes, string id, string table, string route, string folder, ImportBuilder import)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray list)
        {
            import.Error(null, route, "files", node, "expected a list of paths, globs or { source, destination } tables.", table);
            return null;
        }

        var exclude = new List<string>();
        foreach (var item in excludes as JsonArray ?? [])
        {
            if (ManifestReader.Scalar(item) is { } pattern && Relative(pattern))
            {
                exclude.Add(pattern);
            }
            else
            {
                import.Error(null, route, "exclude_files", item, "expected a glob relative to the spin.toml, e.g. \"static/*.map\".", table);
            }
        }

        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            switch (item)
            {
                case JsonValue value when value.TryGetValue<string>(out var pattern):
                    if (!Relative(pattern))
                    {
                        import.Error(null, route, "files", item,
                            "a path or glob is relative to the spin.toml and stays inside its folder; to mount a folder from " +
                            "elsewhere, give { source = \"dir\", destination = \"/dir\" }.", table);
                        break;
                    }

                    var matches = Match(folder, pattern, exclude);
                    if (matches.Count == 0)
                    {
                        import.Note(null, route, "files", item, "matches no file; nothing is mounted for it.", table);
                    }

                    foreach (var match in matches)
                    {
                        entries[match] = Path.GetFullPath(Path.Combine(folder, match));
                    }

                    break;
                case JsonObject mapping:
                    var source = ManifestReader.Scalar(mapping["source"]);
                    var destination = ManifestReader.Scalar(mapping["destination"]);
                    if (source is null || destination is null || !destination.StartsWith('/') || mapping.Count != 2)
                    {
                        import.Error(null, route, "files", item,
                            "a mapping is { source = \"dir\", destination = \"/guest/dir\" } (destination absolute).", table);
                        break;
                    }

                    var path = Path.GetFullPath(Path.Combine(folder, source));
                    if (!Directory.Exists(path) && !File.Exists(path))
                    {
                        import.Error(null, route, "files", item, $"not found: {path} (relative to the spin.toml).", table);
                        break;
                    }

                    entries[destination.Trim('/')] = path;
                    break;
                default:
                    import.Error(null, route, "files", item, "expected a path, a glob or { source, destination }.", table);
                    break;
            }
        }

        return entries.Count == 0 ? null : BundlePlan.FromEntries(entries, $"files of {table}");
    }

    /// <summary>The files a path, folder or glob matches, relative to <paramref name="folder"/> with '/' separators.</summary>
    internal static IReadOnlyList<string> Match(string folder, string pattern, IEnumerable<string> exclude)
    {
        var trimmed = pattern.TrimEnd('/');
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(Directory.Exists(Path.Combine(folder, trimmed)) ? trimmed + "/**/*" : trimmed);
        matcher.AddExcludePatterns(exclude);
        return [.. matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(folder))).Files.Select(f => f.Path)];
    }

    private static bool Relative(string pattern) =>
        pattern.Length > 0 && !Path.IsPathRooted(pattern) && !pattern.Split('/', '\\').Contains("..");
}
