using System.Diagnostics;
using Xunit;

namespace Functions.Testing;

/// <summary>
/// Third-party repositories used as test data, read from local git mirrors and never copied into this
/// repository: <c>FUNCTIONS_THIRDPARTY_MIRRORS</c>, or <c>/work/.mirror</c> where this project's machines keep
/// them, holds <c>owner+name/repo</c> (a bare git directory). Without it the tests that need one skip, saying so.
/// </summary>
public static class ThirdPartySources
{
    public static string Mirrors =>
        Environment.GetEnvironmentVariable("FUNCTIONS_THIRDPARTY_MIRRORS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : "/work/.mirror";

    /// <summary>
    /// Writes the tree of <paramref name="repository"/> (<c>owner/name</c>) at <paramref name="commit"/> into
    /// <paramref name="destination"/>; skips the calling test when the mirror or the commit is not there.
    /// </summary>
    public static async Task ExtractAsync(string repository, string commit, string destination)
    {
        var gitDir = Path.Combine(Mirrors, repository.Replace('/', '+'), "repo");
        Skip.IfNot(Directory.Exists(gitDir),
            $"The third-party repository {repository} is not mirrored at {gitDir} (set FUNCTIONS_THIRDPARTY_MIRRORS to a folder " +
            $"holding owner+name/repo bare git directories, e.g. from `git clone --mirror https://github.com/{repository} repo`); " +
            "this acceptance test is skipped without it.");
        Directory.CreateDirectory(destination);
        var start = new ProcessStartInfo("bash", ["-c", "set -o pipefail; git --git-dir=\"$1\" archive \"$2\" | tar -x -C \"$3\"", "extract", gitDir, commit, destination])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        Skip.If(process.ExitCode != 0 && error.Contains("not a tree object", StringComparison.Ordinal),
            $"The mirror {gitDir} does not have commit {commit}: update it (git fetch).");
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"extracting {repository}@{commit} failed: {error}");
        }
    }
}
