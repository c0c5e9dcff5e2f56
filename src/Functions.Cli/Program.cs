namespace Functions.Cli;

/// <summary>
/// The <c>functions</c> entry point. Not top-level statements: those would declare a global <c>Program</c> that
/// clashes with the control plane's in tests that host both.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, CliHost.FromConsole());
}
