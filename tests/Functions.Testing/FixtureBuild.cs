using System.Diagnostics;

namespace Functions.Testing;

/// <summary>
/// Runs <c>tests/fixtures/build.sh</c> once per process, then finds modules in its output folders.
/// The script is incremental and takes an flock, so many test processes can call it at once.
/// </summary>
internal static class FixtureBuild
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);

    // Lazy caches a failure too: a broken build is reported once per test with the same output,
    // not re-run (and re-failed) by every test that asks for a module.
    private static readonly Lazy<string> LazyBuildOutput = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Script => Path.Combine(RepoPaths.Root, "tests", "fixtures", "build.sh");

    public static string FixturesFolder => Path.Combine(RepoPaths.Root, "tests", "fixtures", "out");

    public static string SamplesFolder => Path.Combine(RepoPaths.Root, "samples", "out");

    /// <summary>The absolute path of <paramref name="name"/> (".wasm" optional) in <paramref name="folder"/>, built first.</summary>
    public static string Locate(string folder, string name, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _ = LazyBuildOutput.Value;
        var fileName = name.EndsWith(".wasm", StringComparison.Ordinal) ? name : name + ".wasm";
        var path = Path.Combine(folder, fileName);
        if (fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal) || !File.Exists(path))
        {
            var available = Directory.Exists(folder)
                ? string.Join(", ", Directory.EnumerateFiles(folder, "*.wasm").Select(Path.GetFileName).Order(StringComparer.Ordinal))
                : "(none)";
            throw new FileNotFoundException(
                $"No {kind} named '{fileName}' in {folder}. Available: {available}. " +
                $"Add its source and a line to {Script} to make a new one.", path);
        }

        return path;
    }

    private static string Build()
    {
        // One stream (stderr folded into stdout by the shell), read on a dedicated thread: test runners block
        // many pool threads at once, and an async read would wait for the thread pool to grow.
        var start = new ProcessStartInfo("bash", ["-c", "exec bash \"$0\" 2>&1", Script])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        Process process;
        try
        {
            process = Process.Start(start)
                ?? throw new InvalidOperationException($"Could not start bash to run {Script}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not run {Script}: bash is needed to build the WebAssembly test fixtures ({e.Message}).", e);
        }

        using (process)
        {
            var output = "";
            var reader = new Thread(() => output = process.StandardOutput.ReadToEnd()) { IsBackground = true };
            reader.Start();
            if (!process.WaitForExit(BuildTimeout))
            {
                process.Kill(entireProcessTree: true);
                reader.Join(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException(
                    $"{Script} did not finish within {BuildTimeout.TotalMinutes} minutes. Output so far:\n{output}");
            }

            reader.Join();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"Building the WebAssembly test fixtures failed: {Script} exited with {process.ExitCode}.\n{output}");
            }

            return output;
        }
    }
}
