using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Functions.Testing;

/// <summary>
/// npm packages installed once into a cache folder under the checkout's <c>.local/npm/NAME</c> (pinned versions, no
/// global install), for tests that run JavaScript tools: the OpenAPI linters, the AssemblyScript compiler. Several
/// test processes may ask at once: an exclusive lock file serialises the installs.
/// </summary>
public static class NpmPackages
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// The folder holding <c>node_modules</c> with exactly these <paramref name="packages"/> (name → version)
    /// installed; skips the calling test, saying why, when npm is not on the PATH.
    /// </summary>
    public static async Task<string> InstallAsync(string name, IReadOnlyDictionary<string, string> packages)
    {
        Skip.If(Which("npm") is null,
            "npm is not on the PATH: these checks run tools from npm's registry (apt-get install -y npm).");
        var folder = Path.Combine(LocalDir(), "npm", name);
        Directory.CreateDirectory(folder);
        var manifest = JsonSerializer.Serialize(new { name = $"functions-test-{name}", @private = true, dependencies = packages }, Indented);
        await using var held = await LockAsync(Path.Combine(folder, ".lock")).ConfigureAwait(false);
        var stamp = Path.Combine(folder, "node_modules", ".functions-installed");
        if (File.Exists(stamp) && await File.ReadAllTextAsync(stamp).ConfigureAwait(false) == manifest)
        {
            return folder;
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), manifest).ConfigureAwait(false);
        var (exit, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], folder,
            TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new InvalidOperationException($"npm install in {folder} failed with exit code {exit}:\n{output}");
        }

        await File.WriteAllTextAsync(stamp, manifest).ConfigureAwait(false);
        return folder;
    }

    // The checkout's own .local (ignored by git), not FUNCTIONS_LOCAL_DIR: that may be another checkout's services.
    private static string LocalDir() => Path.Combine(RepoPaths.Root, ".local");

    /// <summary>The full path of a program on the PATH, or null.</summary>
    public static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program to its end (killing it after <paramref name="timeout"/>); its exit code and both outputs.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exit, stdout, stderr) = await RunSplitAsync(program, arguments, workingDirectory, timeout, environment).ConfigureAwait(false);
        return (exit, stdout + stderr);
    }

    /// <summary>Runs a program to its end (killing it after <paramref name="timeout"/>); its exit code, stdout and stderr.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunSplitAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not end within {timeout}:\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }
}
