using Xunit;

namespace Functions.Testing;

/// <summary>Where the checkout and the shared test corpus are, found from the test binary's folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The checkout's root: the folder that holds Functions.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>
    /// The third-party corpus beside the checkout (<c>../shared/corpus</c>), or the folder named by
    /// <c>FUNCTIONS_CORPUS</c>. A user's own clone has none: tests that need it skip, saying so.
    /// </summary>
    public static string Corpus =>
        Environment.GetEnvironmentVariable("FUNCTIONS_CORPUS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus"));

    /// <summary>Skips the calling test, with a message saying why, when the corpus is not there.</summary>
    public static string RequireCorpus(params string[] parts)
    {
        var path = Path.Combine([Corpus, .. parts]);
        Skip.IfNot(Directory.Exists(path) || File.Exists(path),
            $"The third-party test corpus is not at {path}. It lives beside the checkout in ../shared/corpus " +
            "(or set FUNCTIONS_CORPUS to its folder); without it these conformance tests are skipped.");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"Could not find Functions.sln above {AppContext.BaseDirectory}: run the tests from inside the checkout.");
    }
}
