using System.Xml.Linq;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>A project and everything it references through ProjectReference, read from the .csproj files.</summary>
internal static class ProjectGraph
{
    /// <summary>Repository-relative paths of the project file and every project it reaches, the project first.</summary>
    public static IReadOnlyList<string> Closure(string projectFile)
    {
        var seen = new List<string>();
        var pending = new Stack<string>([projectFile]);
        while (pending.TryPop(out var project))
        {
            if (seen.Contains(project))
            {
                continue;
            }

            if (!RepoFile.Exists(project))
            {
                throw new InvalidOperationException($"{project} is referenced but does not exist.");
            }

            seen.Add(project);
            var directory = Path.GetDirectoryName(RepoFile.Full(project))!;
            foreach (var reference in References(project).Reverse())
            {
                pending.Push(RepoFile.Relative(Path.GetFullPath(Path.Combine(directory, reference.Replace('\\', '/')))));
            }
        }

        return seen;
    }

    /// <summary>The assembly a project builds: its AssemblyName, else its file name.</summary>
    public static string AssemblyName(string projectFile) =>
        XDocument.Load(RepoFile.Full(projectFile)).Descendants("AssemblyName").FirstOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(projectFile);

    /// <summary>The folder that holds a project file, with a trailing '/'.</summary>
    public static string Folder(string projectFile) => Path.GetDirectoryName(projectFile)!.Replace('\\', '/') + "/";

    private static IEnumerable<string> References(string projectFile) =>
        XDocument.Load(RepoFile.Full(projectFile)).Descendants("ProjectReference")
            .Select(reference => reference.Attribute("Include")?.Value)
            .OfType<string>();
}
