namespace Functions.Runtime;

/// <summary>One run's input: exactly what the module sees, nothing of the host's own.</summary>
public sealed record Invocation(
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<string> Arguments,
    ReadOnlyMemory<byte> Stdin)
{
    /// <summary>The caller's id of this run, for logs.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// The logging scope of the runtime's own log entries about this run (e.g. the route, digest and request id);
    /// stderr is returned in the result for the caller to log.
    /// </summary>
    public object? LogTag { get; init; }
}

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

/// <summary>One run's output. <see cref="Detail"/> is for logs, never for clients.</summary>
public sealed record InvocationResult(
    InvocationOutcome Outcome,
    int ExitCode,
    ReadOnlyMemory<byte> Stdout,
    IReadOnlyList<string> StderrLines,
    string? Detail,
    TimeSpan Elapsed)
{
    /// <summary>stderr as written, up to <see cref="RuntimeOptions.MaxStderrBytes"/> (<see cref="StderrLines"/> splits it).</summary>
    public ReadOnlyMemory<byte> Stderr { get; init; }

    /// <summary>Whether a pre-instantiated instance served the run (false: instantiated on demand, or not run).</summary>
    public bool PoolHit { get; init; }

    internal static InvocationResult NotRun(InvocationOutcome outcome, string detail) =>
        new(outcome, -1, ReadOnlyMemory<byte>.Empty, [], detail, TimeSpan.Zero);
}
