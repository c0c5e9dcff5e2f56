using System.Diagnostics;

namespace Functions.Benchmarks;

/// <summary>
/// The test fixtures (<c>tests/fixtures/out/*.wasm</c>), built by <c>tests/fixtures/build.sh</c> when one is missing.
/// Kept apart from Functions.Testing so the benchmarks need nothing but the runtime.
/// </summary>
internal static class FixtureFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(Root.Value, "tests", "fixtures", "out", name + ".wasm");
        if (!File.Exists(path))
        {
            using var build = Process.Start(new ProcessStartInfo("bash", [System.IO.Path.Combine(Root.Value, "tests", "fixtures", "build.sh")])
            {
                WorkingDirectory = Root.Value,
            }) ?? throw new InvalidOperationException("could not start bash to build the fixtures");
            build.WaitForExit();
            if (build.ExitCode != 0 || !File.Exists(path))
            {
                throw new FileNotFoundException($"No fixture {name}: tests/fixtures/build.sh exited with {build.ExitCode}.", path);
            }
        }

        return path;
    }

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Could not find Functions.sln above {AppContext.BaseDirectory}: run from the checkout.");
    }
}
