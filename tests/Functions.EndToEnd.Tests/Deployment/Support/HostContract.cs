using System.Text.RegularExpressions;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>One setting a host cannot start without, and the environment variables any one of which provides it.</summary>
internal sealed record RequiredSetting(string Description, IReadOnlyList<string> Variables)
{
    public override string ToString() => $"{Description} ({string.Join(" or ", Variables)})";
}

/// <summary>
/// What a host reads from its environment, found by scanning the C# source of its project and of every project it
/// references, so that a variable added to the code is demanded of every deployment file without editing a list:
/// <list type="bullet">
/// <item>string literals that are exactly <c>"FUNCTIONS_…"</c>: the documented variables (keys, URLs);</item>
/// <item>connection string names: <c>GetConnectionString("X")</c>, the constants of a class named
/// <c>ConnectionStrings</c>, and the text <c>ConnectionStrings:X</c> / <c>ConnectionStrings__X</c>;</item>
/// <item><c>*Options</c> classes with a <c>Section</c> constant: their properties are the settings
/// <c>Section__Property</c>; those marked <c>[Required]</c> must be set, through that name or a
/// <c>FUNCTIONS_…</c> variable their error message names;</item>
/// <item>paths passed to <c>Map…("/…")</c>: the endpoints probes may use.</item>
/// </list>
/// </summary>
internal sealed partial record HostContract(
    IReadOnlySet<string> FunctionsVariables,
    IReadOnlySet<string> ConnectionStrings,
    IReadOnlyDictionary<string, IReadOnlySet<string>> OptionSections,
    IReadOnlyList<RequiredSetting> RequiredOptions,
    IReadOnlySet<string> MappedPaths)
{
    /// <summary>Prefixes every .NET host reads on its own (ASP.NET Core, the runtime, logging).</summary>
    private static readonly string[] FrameworkPrefixes = ["ASPNETCORE_", "DOTNET_", "Logging__"];

    /// <summary>Everything that must be set: each connection string, each FUNCTIONS_ variable, each required option.</summary>
    public IReadOnlyList<RequiredSetting> Required =>
    [
        .. ConnectionStrings.Order(StringComparer.Ordinal)
            .Select(name => new RequiredSetting($"connection string {name}", [$"ConnectionStrings__{name}"])),
        .. FunctionsVariables.Order(StringComparer.Ordinal).Select(name => new RequiredSetting(name, [name])),
        .. RequiredOptions,
    ];

    /// <summary>Whether the host reads this variable at all (configuration keys are case-insensitive).</summary>
    public bool Reads(string variable)
    {
        if (FrameworkPrefixes.Any(prefix => variable.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            || FunctionsVariables.Contains(variable))
        {
            return true;
        }

        var parts = variable.Split("__");
        return parts switch
        {
            ["ConnectionStrings", var name] => ConnectionStrings.Contains(name, StringComparer.OrdinalIgnoreCase),
            [var section, var property, ..] => OptionSections.Any(entry =>
                entry.Key.Equals(section, StringComparison.OrdinalIgnoreCase)
                && entry.Value.Contains(property, StringComparer.OrdinalIgnoreCase)),
            _ => false,
        };
    }

    /// <summary>Scans the sources of a project and of every project it references.</summary>
    public static HostContract Scan(string projectFile) =>
        FromSources(ProjectGraph.Closure(projectFile).SelectMany(project => SourceFiles(ProjectGraph.Folder(project))));

    public static HostContract FromSources(IEnumerable<string> sources)
    {
        var functionsVariables = new SortedSet<string>(StringComparer.Ordinal);
        var connectionStrings = new SortedSet<string>(StringComparer.Ordinal);
        var sections = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var required = new List<RequiredSetting>();
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            functionsVariables.UnionWith(FunctionsLiteral().Matches(source).Select(match => match.Groups[1].Value));
            connectionStrings.UnionWith(ConnectionStringUse().Matches(source).Select(match => match.Groups[1].Value));
            connectionStrings.UnionWith(ConnectionStringMention().Matches(source).Select(match => match.Groups[1].Value));
            if (ConnectionStringsClass().IsMatch(source))
            {
                connectionStrings.UnionWith(StringConstant().Matches(source).Select(match => match.Groups[1].Value));
            }

            paths.UnionWith(MappedPath().Matches(source).Select(match => match.Groups[1].Value));
            ScanOptions(source, sections, required);
        }

        return new HostContract(functionsVariables, connectionStrings, sections, required, paths);
    }

    private static void ScanOptions(string source, Dictionary<string, IReadOnlySet<string>> sections, List<RequiredSetting> required)
    {
        if (!OptionsClass().IsMatch(source) || SectionConstant().Match(source) is not { Success: true } sectionMatch)
        {
            return;
        }

        var section = sectionMatch.Groups[1].Value;
        var properties = new SortedSet<string>(StringComparer.Ordinal);
        var attributes = new List<string>();
        foreach (var rawLine in source.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith('['))
            {
                attributes.Add(line);
            }
            else if (Property().Match(line) is { Success: true } property)
            {
                var name = property.Groups[1].Value;
                properties.Add(name);
                if (attributes.FirstOrDefault(attribute => attribute.StartsWith("[Required", StringComparison.Ordinal)) is { } attribute)
                {
                    string[] alternatives = [$"{section}__{name}", .. FunctionsToken().Matches(attribute).Select(match => match.Value)];
                    required.Add(new RequiredSetting($"{section}:{name}", alternatives));
                }

                attributes.Clear();
            }
            else if (line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal))
            {
                attributes.Clear();
            }
        }

        sections[section] = properties;
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(RepoFile.Full(folder), "*.cs", SearchOption.AllDirectories)
            .Where(file => !RepoFile.Relative(file).Split('/').Any(part => part is "bin" or "obj"))
            .Select(File.ReadAllText);

    [GeneratedRegex("\"(FUNCTIONS_[A-Z0-9_]+)\"")]
    private static partial Regex FunctionsLiteral();

    [GeneratedRegex(@"\bFUNCTIONS_[A-Z0-9_]*[A-Z0-9]")]
    private static partial Regex FunctionsToken();

    [GeneratedRegex(@"GetConnectionString\(\s*""(\w+)""\s*\)")]
    private static partial Regex ConnectionStringUse();

    [GeneratedRegex(@"ConnectionStrings(?::|__)([A-Za-z]\w*)")]
    private static partial Regex ConnectionStringMention();

    [GeneratedRegex(@"\bclass\s+ConnectionStrings\b")]
    private static partial Regex ConnectionStringsClass();

    [GeneratedRegex(@"const\s+string\s+\w+\s*=\s*""(\w+)""\s*;")]
    private static partial Regex StringConstant();

    [GeneratedRegex(@"\bclass\s+\w+Options\b")]
    private static partial Regex OptionsClass();

    [GeneratedRegex(@"const\s+string\s+Section\s*=\s*""(\w+)""\s*;")]
    private static partial Regex SectionConstant();

    [GeneratedRegex(@"^public\s+(?!static\b|const\b)[\w.<>\[\],?\s]+?\s+(\w+)\s*\{\s*get;")]
    private static partial Regex Property();

    [GeneratedRegex(@"\.Map\w*\(\s*""(/[^""]*)""")]
    private static partial Regex MappedPath();
}
