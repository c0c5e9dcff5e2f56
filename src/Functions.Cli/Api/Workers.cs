namespace Functions.Cli.Api;

/// <summary>
/// The worker nodes and the generation they should all reach (<c>GET /api/v1/workers</c>, one page of it; the client
/// pages through and returns them all). <paramref name="Count"/> is every node recorded; older control planes send none.
/// </summary>
internal sealed record WorkerList(long Generation, IReadOnlyList<WorkerInfo> Workers, long? Count = null);

/// <summary>
/// A worker node as the control plane last heard from it; state is ready, syncing, failed or offline. A ready worker
/// may still list apps it could not apply (it serves all the others); older control planes send no list.
/// </summary>
internal sealed record WorkerInfo(
    string NodeId,
    string Address,
    string Version,
    DateTimeOffset LastHeartbeat,
    long AppliedGeneration,
    long? FailedGeneration,
    string? LastError,
    string State,
    IReadOnlyList<WorkerAppFailure>? FailedApps = null);

/// <summary>An app a worker could not apply: it keeps the app's last good release there, or nothing of it.</summary>
internal sealed record WorkerAppFailure(string App, int Release, string Error);
