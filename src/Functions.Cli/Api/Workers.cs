namespace Functions.Cli.Api;

/// <summary>The worker nodes and the generation they should all reach (<c>GET /api/v1/workers</c>).</summary>
internal sealed record WorkerList(long Generation, IReadOnlyList<WorkerInfo> Workers);

/// <summary>A worker node as the control plane last heard from it; state is ready, syncing, failed or offline.</summary>
internal sealed record WorkerInfo(
    string NodeId,
    string Address,
    string Version,
    DateTimeOffset LastHeartbeat,
    long AppliedGeneration,
    long? FailedGeneration,
    string? LastError,
    string State);
