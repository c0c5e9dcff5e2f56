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
