namespace Functions.Cli.Api;

/// <summary>How far the workers are with an application's current generation (<c>GET /api/v1/apps/{name}/rollout</c>).</summary>
internal sealed record Rollout(
    string App, int Version, long Generation, int Applied, int Pending, int Failed, IReadOnlyList<WorkerRollout> Workers);

/// <summary>One worker's progress with the application: <c>applied</c>, <c>pending</c> or <c>failed</c>.</summary>
internal sealed record WorkerRollout(
    string NodeId, string Address, string Status, bool Online, long AppliedGeneration, DateTimeOffset LastHeartbeat,
    string? Error)
{
    public const string Applied = "applied";
    public const string Pending = "pending";
    public const string Failed = "failed";
}
