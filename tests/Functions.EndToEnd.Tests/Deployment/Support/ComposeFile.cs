using System.Text.RegularExpressions;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>A published port: <c>HOST_IP:HOST_PORT:CONTAINER_PORT</c>, interpolated.</summary>
internal sealed record PublishedPort(string? HostIp, string? HostPort, int ContainerPort, string Raw);

/// <summary>A volume mount in short syntax: <c>SOURCE:TARGET[:MODE]</c>.</summary>
internal sealed record VolumeMount(string Source, string Target, bool ReadOnly)
{
    public bool IsNamed => !Source.StartsWith('.') && !Source.StartsWith('/') && !Source.StartsWith('~');
}

/// <summary>One service of docker-compose.yml, its values interpolated with .env.example.</summary>
internal sealed record ComposeService(string Name, Dictionary<string, object?> Node, ComposeFile File)
{
    public string? Image => Node.StringAt("image");

    public string? Dockerfile => Node.StringAt("build", "dockerfile") is { } dockerfile
        ? RepoFile.Relative(RepoFile.Full(Path.Combine(Node.StringAt("build", "context") ?? ".", dockerfile)))
        : null;

    /// <summary>Environment variables (map or list form), values interpolated; a bare name takes the variable's value.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            switch (Node.At("environment"))
            {
                case Dictionary<string, object?> map:
                    foreach (var (key, value) in map)
                    {
                        result[key] = File.Interpolate(value as string ?? File.Variable(key));
                    }

                    break;
                case List<object?> list:
                    foreach (var entry in list.OfType<string>())
                    {
                        var parts = entry.Split('=', 2);
                        result[parts[0]] = parts.Length == 2 ? File.Interpolate(parts[1]) : File.Variable(parts[0]);
                    }

                    break;
            }

            return result;
        }
    }

    public IReadOnlyList<PublishedPort> Ports => [.. Node.ListAt("ports").OfType<string>().Select(ParsePort)];

    /// <summary>depends_on targets and their conditions (the list form means service_started).</summary>
    public IReadOnlyDictionary<string, string> DependsOn => Node.At("depends_on") switch
    {
        Dictionary<string, object?> map => map.ToDictionary(
            entry => entry.Key, entry => entry.Value.StringAt("condition") ?? "service_started", StringComparer.Ordinal),
        List<object?> list => list.OfType<string>().ToDictionary(name => name, _ => "service_started", StringComparer.Ordinal),
        _ => new Dictionary<string, string>(),
    };

    /// <summary>The healthcheck command's words (CMD form), or empty when there is none or it is disabled.</summary>
    public IReadOnlyList<string> HealthcheckCommand =>
        Node.StringAt("healthcheck", "disable") == "true" ? [] : Node.ListAt("healthcheck", "test").OfType<string>().ToList() switch
        {
            ["CMD" or "CMD-SHELL", .. var rest] => rest,
            _ => Node.StringAt("healthcheck", "test") is { } shell ? ["sh", "-c", shell] : [],
        };

    public IReadOnlyList<VolumeMount> Volumes =>
    [
        .. Node.ListAt("volumes").OfType<string>().Select(File.Interpolate).Select(entry =>
        {
            var parts = entry.Split(':');
            return parts.Length >= 2
                ? new VolumeMount(parts[0], parts[1], parts.Length > 2 && parts[2].Split(',').Contains("ro"))
                : new VolumeMount("", parts[0], false);
        }),
    ];

    private PublishedPort ParsePort(string raw)
    {
        var value = File.Interpolate(raw);
        var spec = value.Split('/')[0];
        var parts = spec.Split(':');
        var container = int.Parse(parts[^1].Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
        return parts.Length switch
        {
            3 => new PublishedPort(parts[0], parts[1], container, raw),
            2 => new PublishedPort(null, parts[0], container, raw),
            _ => new PublishedPort(null, null, container, raw),
        };
    }
}

/// <summary>docker-compose.yml at the repository root, interpolated with the defaults of .env.example.</summary>
internal sealed partial class ComposeFile
{
    public const string FileName = "docker-compose.yml";
    public const string EnvExample = ".env.example";

    private ComposeFile(Dictionary<string, object?> root, string text, IReadOnlyDictionary<string, string> variables)
    {
        Root = root;
        Text = text;
        Variables = variables;
    }

    public Dictionary<string, object?> Root { get; }

    /// <summary>The raw text, for checks on interpolation syntax.</summary>
    public string Text { get; }

    /// <summary>The variables .env.example defines.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    public IReadOnlyDictionary<string, ComposeService> Services =>
        (Root.MapAt("services") ?? []).ToDictionary(
            entry => entry.Key, entry => new ComposeService(entry.Key, entry.Value as Dictionary<string, object?> ?? [], this),
            StringComparer.Ordinal);

    public IReadOnlyCollection<string> DeclaredVolumes => (Root.MapAt("volumes") ?? []).Keys;

    /// <summary>Every <c>${…}</c> in the file: name, operator (":-", "-", ":?", "?" or "") and argument.</summary>
    public IReadOnlyList<(string Name, string Operator, string Argument)> References =>
        [.. Reference().Matches(Text).Select(match => (match.Groups["name"].Value, match.Groups["op"].Value, match.Groups["arg"].Value))];

    public static ComposeFile Load()
    {
        var text = RepoFile.Read(FileName);
        return new ComposeFile(YamlFile.Load(RepoFile.Full(FileName)), text, ReadEnvFile(EnvExample));
    }

    public static IReadOnlyDictionary<string, string> ReadEnvFile(string relativePath) =>
        RepoFile.Read(relativePath).Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts.Length > 1 ? parts[1].Trim() : "", StringComparer.Ordinal);

    public string Variable(string name) =>
        Variables.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"{FileName} uses ${{{name}}}, which {EnvExample} does not define.");

    /// <summary>Compose interpolation: <c>$$</c>, <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-default}</c>, <c>${NAME:?error}</c>.</summary>
    public string Interpolate(string value) =>
        Reference().Replace(value.Replace("$$", "\u0000", StringComparison.Ordinal), match =>
        {
            var name = match.Groups["name"].Value;
            var op = match.Groups["op"].Value;
            var found = Variables.TryGetValue(name, out var defined);
            return op switch
            {
                ":-" => found && defined!.Length > 0 ? defined : match.Groups["arg"].Value,
                "-" => found ? defined! : match.Groups["arg"].Value,
                _ => Variable(name),
            };
        }).Replace("\u0000", "$", StringComparison.Ordinal);

    [GeneratedRegex(@"\$(?:\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}|(?<name>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Reference();
}
