namespace Functions.Contracts.Api;

/// <summary>How far the workers are with an application's current generation.</summary>
/// <param name="App">The application.</param>
/// <param name="Version">Its active release.</param>
/// <param name="Generation">The generation that activated it: a worker that applied this or later serves it.</param>
/// <param name="Applied">Workers that serve it.</param>
/// <param name="Pending">Online workers that have not applied it yet.</param>
/// <param name="Failed">Workers that reported this app failed at its active release (or that could not process its
/// generation at all). Another app's failure on a worker never counts here.</param>
/// <param name="Workers">Each worker node.</param>
public sealed record RolloutView(
    string App, int Version, long Generation, int Applied, int Pending, int Failed, IReadOnlyList<WorkerRollout> Workers);

/// <summary>One worker's progress with an application.</summary>
/// <param name="NodeId">The worker node.</param>
/// <param name="Address">Where it serves.</param>
/// <param name="Status"><c>applied</c>, <c>pending</c> or <c>failed</c> (the worker keeps serving the app's last good
/// release, or nothing of it).</param>
/// <param name="Online">Whether it sent a heartbeat recently.</param>
/// <param name="AppliedGeneration">The last generation it applied.</param>
/// <param name="LastHeartbeat">When it last reported.</param>
/// <param name="Error">What it reported when applying this app failed.</param>
public sealed record WorkerRollout(
    string NodeId, string Address, string Status, bool Online, long AppliedGeneration, DateTimeOffset LastHeartbeat,
    string? Error)
{
    public const string Applied = "applied";
    public const string Pending = "pending";
    public const string Failed = "failed";
}
