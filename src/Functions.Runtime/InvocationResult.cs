namespace Functions.Runtime;

/// <summary>One run's output. <see cref="Detail"/> is for logs, never for clients.</summary>
/// <param name="Outcome">How the run ended.</param>
/// <param name="ExitCode">The <c>proc_exit</c> status (0 when the entrypoint returned); -1 when there is none.</param>
/// <param name="Stdout">Everything written to stdout; empty when over the output limit.</param>
/// <param name="StderrLines">stderr split into lines (without line ends), a note last when some was dropped.</param>
/// <param name="Detail">Why a run failed (a trap, the limit it hit), for logs.</param>
/// <param name="Elapsed">Time on the execution thread: instantiation on a pool miss, plus the run; not queueing.</param>
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
