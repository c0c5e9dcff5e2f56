namespace Functions.Runtime;

/// <summary>How a run ended.</summary>
public enum InvocationOutcome
{
    /// <summary>The entrypoint returned, or the module called <c>proc_exit(0)</c>.</summary>
    Completed,

    /// <summary><c>proc_exit(n)</c> with n ≠ 0.</summary>
    ExitedWithError,

    /// <summary>A trap: unreachable, out-of-bounds access, stack overflow, a failed instantiation.</summary>
    Trapped,

    /// <summary>It ran past its timeout and was interrupted.</summary>
    TimedOut,

    /// <summary>It wrote more than its output limit and was interrupted.</summary>
    OutputLimitExceeded,

    /// <summary>Not run: the function was at its concurrency limit.</summary>
    Busy,

    /// <summary>Not run: the module does not export the entrypoint as a function of no parameters and no results.</summary>
    EntrypointMissing,
}
