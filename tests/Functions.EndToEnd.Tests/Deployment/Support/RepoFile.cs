using Functions.Testing;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>Paths inside the checkout, written with '/' as in Dockerfiles and manifests.</summary>
internal static class RepoFile
{
    public static string Full(string relative) => Path.GetFullPath(Path.Combine(RepoPaths.Root, relative));

    public static string Relative(string full) => Path.GetRelativePath(RepoPaths.Root, full).Replace('\\', '/');

    public static bool Exists(string relative) => File.Exists(Full(relative)) || Directory.Exists(Full(relative));

    public static string Read(string relative) => File.ReadAllText(Full(relative));
}
