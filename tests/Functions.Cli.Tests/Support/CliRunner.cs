namespace Functions.Cli.Tests.Support;

/// <summary>
/// Runs the real command line in-process (the same root command <c>functions</c> runs), capturing its output, with
/// an environment of the test's choosing instead of the process's.
/// </summary>
internal static class CliRunner
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), null, args);

    public static async Task<CliRun> RunAsync(
        IReadOnlyDictionary<string, string> environment,
        HttpMessageHandler? handler,
        string[] args,
        bool stderrIsTerminal = false)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost
        {
            Out = stdout,
            Error = stderr,
            ErrorIsTerminal = stderrIsTerminal,
            Environment = name => environment.GetValueOrDefault(name),
            Handler = handler,
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        var exit = await CliApp.RunAsync(args, host);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}
