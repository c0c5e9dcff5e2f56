namespace Functions.Wagi;

/// <summary>The HTTP response to send for one invocation.</summary>
public sealed record WagiResponse
{
    /// <summary>The status code, 200..999.</summary>
    public required int Status { get; init; }

    /// <summary>The reason phrase the module gave after the code in <c>Status:</c>, or null.</summary>
    public string? Reason { get; init; }

    /// <summary>Headers in the order written, repeats kept (e.g. <c>Set-Cookie</c>); never <c>Status</c>,
    /// <c>Content-Length</c> or hop-by-hop headers, and every name and value is legal.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body; for a module's response a slice of its stdout, not a copy.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>What was wrong with the module's output or run, for the worker's log; never for the client.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>True when status, headers and body come from the module's output; false for an error the
    /// platform answers instead (its body names the request id).</summary>
    public bool IsFromModule { get; init; }
}
