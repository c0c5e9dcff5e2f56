namespace Functions.Cli;

/// <summary>What the <c>functions</c> process exits with; scripts may rely on these.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The control plane refused the request, or the input is wrong; the message says what to fix.</summary>
    public const int Failed = 1;

    /// <summary>The control plane did not answer (not running, wrong <c>--url</c>, network); for <c>push</c>, the registry.</summary>
    public const int Unreachable = 2;

    /// <summary><c>status --wait</c> gave up: live workers had not all applied the release in time.</summary>
    public const int TimedOut = 3;
}
