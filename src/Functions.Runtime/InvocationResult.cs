namespace Functions.Runtime;

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
