namespace Functions.Data;

/// <summary>A worker node as of its last heartbeat.</summary>
public sealed class WorkerNode
{
    public required string NodeId { get; init; }

    public required string Address { get; set; }

    public required string Version { get; set; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastHeartbeat { get; set; }

    public long AppliedGeneration { get; set; }

    public long? FailedGeneration { get; set; }

    public string? LastError { get; set; }

    /// <summary>The apps it could not apply at <see cref="AppliedGeneration"/> (only those: never the healthy ones).</summary>
    public IReadOnlyList<WorkerAppFailure> FailedApps { get; set; } = [];
}
