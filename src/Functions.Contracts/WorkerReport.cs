namespace Functions.Contracts;

/// <summary>
/// What a worker node tells the control plane on every heartbeat: who it is, where it serves, and the last
/// generation it applied (or why it could not apply the newest one).
/// </summary>
public sealed record WorkerReport(
    string NodeId,
    string Address,
    string Version,
    long AppliedGeneration,
    long? FailedGeneration,
    string? LastError,
    DateTimeOffset SentAt);
