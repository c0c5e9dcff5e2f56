namespace Functions.Wagi;

/// <summary>How a module's run ended, as the worker saw it (WAGI.md, "Failure").</summary>
public enum ExecutionOutcome
{
    /// <summary>Returned from the entrypoint, or <c>proc_exit(0)</c>.</summary>
    Completed,

    /// <summary><c>proc_exit(n)</c> with n ≠ 0.</summary>
    ExitedWithError,

    /// <summary>A trap: unreachable, out-of-bounds access, stack overflow, a failed memory limit that trapped.</summary>
    Trapped,

    /// <summary>Ran past the route's timeout.</summary>
    TimedOut,

    /// <summary>Wrote more than the output limit to stdout.</summary>
    OutputLimitExceeded,
}
