using System.Buffers;

namespace Functions.Runtime;

/// <summary>
/// One run's input: exactly what the module sees, nothing of the host's own. <paramref name="Stdin"/> may be in
/// segments (a server's pooled body buffers): it is copied once, into the module's WASI context, before the run, so the
/// caller may reuse its buffers as soon as the run ended.
/// </summary>
public sealed record Invocation(
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<string> Arguments,
    ReadOnlySequence<byte> Stdin)
{
    public Invocation(IReadOnlyList<KeyValuePair<string, string>> environment, IReadOnlyList<string> arguments, ReadOnlyMemory<byte> stdin)
        : this(environment, arguments, new ReadOnlySequence<byte>(stdin))
    {
    }

    /// <summary>The caller's id of this run, for logs.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// The logging scope of the runtime's own log entries about this run (e.g. the route, digest and request id);
    /// stderr is returned in the result for the caller to log.
    /// </summary>
    public object? LogTag { get; init; }
}
