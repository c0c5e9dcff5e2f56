using System.Diagnostics;

namespace Functions.Testing.Hosts;

/// <summary>The <c>functions</c> CLI, built, run as a user runs it against a <see cref="TestPlatform"/>.</summary>
public static class PlatformCli
{
    /// <summary>How to start the CLI in <paramref name="workingDirectory"/>, pointed at the platform with its admin key.</summary>
    public static ProcessStartInfo CliStart(this TestPlatform platform, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [HostProcess.HostAssembly("Functions.Cli", "functions"), .. arguments])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FUNCTIONS_URL"] = platform.ControlPlane.Address.AbsoluteUri;
        start.Environment["FUNCTIONS_ADMIN_KEY"] = platform.AdminKey;
        return start;
    }

    /// <summary>Runs the CLI to its end (at most 3 minutes): its exit code and its output, stdout then stderr.</summary>
    public static async Task<(int Exit, string Output)> CliAsync(this TestPlatform platform, string workingDirectory, params string[] arguments)
    {
        using var process = Process.Start(platform.CliStart(workingDirectory, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false) + await error.ConfigureAwait(false));
    }
}
