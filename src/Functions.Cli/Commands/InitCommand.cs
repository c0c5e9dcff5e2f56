using System.CommandLine;
using System.Reflection;
using Functions.Cli.Deploying;

namespace Functions.Cli.Commands;

/// <summary>
/// <c>init LANG NAME</c>: writes a folder NAME holding a WAGI hello function in C, Rust or AssemblyScript, its
/// one-command build, a <c>functions.toml</c> that deploys it as app NAME at <c>/NAME</c>, and a README.
/// </summary>
internal static class InitCommand
{
    private const string Placeholder = "{{name}}";

    /// <summary>Language → (template folder, how to build it).</summary>
    internal static readonly IReadOnlyDictionary<string, (string Folder, string Build)> Languages =
        new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
        {
            ["c"] = ("c", "make"),
            ["rust"] = ("rust", "make"),
            ["assemblyscript"] = ("assemblyscript", "npm install && npm run build"),
            ["as"] = ("assemblyscript", "npm install && npm run build"),
        };

    public static Command Create(CliHost host, GlobalOptions globals)
    {
        var language = new Argument<string>("language") { Description = "c, rust or assemblyscript (as)" };
        var name = new Argument<string>("name")
        {
            Description = "The function's name: the folder to create, the app and the route (/NAME)",
        };
        var command = new Command("init", "Create a function project: source of a WAGI hello, a one-command build, " +
            "a functions.toml to deploy it and a README") { language, name };
        CommandAction.Set(command, host, globals, (context, parse, _) =>
        {
            var project = parse.GetValue(name)!;
            var folder = Write(parse.GetValue(language)!, project, Directory.GetCurrentDirectory());
            var build = Languages[parse.GetValue(language)!].Build;
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), folder);
            context.Output.Line($"Created {relative}/: a {Describe(parse.GetValue(language)!)} function, deployed as app '{project}' at /{project}.");
            context.Output.Line("Next:");
            context.Output.Line($"  cd {relative}");
            context.Output.Line($"  {build}");
            context.Output.Line("  functions deploy functions.toml      # or: functions dev functions.toml");
            context.Output.Line($"  curl 'http://127.0.0.1:8080/{project}?name=Ada'");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Writes the project into <paramref name="parent"/>/<paramref name="name"/>; returns its full path.</summary>
    internal static string Write(string language, string name, string parent)
    {
        if (!Languages.TryGetValue(language, out var template))
        {
            throw new CliException(
                $"'{language}' is not a language init knows: give one of c, rust, assemblyscript (or as), e.g. functions init c {Example(name)}.");
        }

        if (!AppNames.IsValid(name))
        {
            throw new CliException($"'{name}' cannot name a function: it becomes the folder, the app and the route, so {AppNames.Rule}.");
        }

        var folder = Path.GetFullPath(Path.Combine(parent, name));
        if (File.Exists(folder))
        {
            throw new CliException($"{folder} is a file: choose another name, or remove it.");
        }

        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new CliException($"{folder} already exists and is not empty: init writes only into a new or empty folder.");
        }

        var prefix = $"Templates/{template.Folder}/";
        var assembly = typeof(InitCommand).Assembly;
        var files = assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        try
        {
            WriteFiles(assembly, files, prefix, folder, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leave nothing half-written: remove what this run wrote.
            if (created)
            {
                Directory.Delete(folder, recursive: true);
            }
            else
            {
                foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
                {
                    if (entry is DirectoryInfo directory) { directory.Delete(recursive: true); } else { entry.Delete(); }
                }
            }

            throw new CliException($"Could not write {folder}: {e.Message}");
        }

        return folder;
    }

    private static void WriteFiles(Assembly assembly, IEnumerable<string> files, string prefix, string folder, string name)
    {
        foreach (var resource in files)
        {
            var relative = resource[prefix.Length..];
            if (Path.GetFileName(relative) == "gitignore")
            {
                relative = Path.Combine(Path.GetDirectoryName(relative) ?? "", ".gitignore");
            }

            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, Read(assembly, resource).Replace(Placeholder, name, StringComparison.Ordinal));
        }
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Describe(string language) => Languages[language].Folder switch
    {
        "c" => "C",
        "rust" => "Rust",
        _ => "AssemblyScript",
    };

    private static string Example(string name) => AppNames.IsValid(name) ? name : "hello";
}
