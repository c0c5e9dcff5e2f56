using Functions.Contracts;

namespace Functions.ControlPlane.Apps;

/// <summary>The answer to a deploy or rollback: which release is now active, at which generation.</summary>
/// <param name="App">The application.</param>
/// <param name="Version">The release now active.</param>
/// <param name="Generation">The global generation of this activation; workers report it in the rollout.</param>
public sealed record Activation(string App, int Version, long Generation);

/// <summary>The body of <c>POST /api/v1/apps/{name}/rollback</c>.</summary>
public sealed record RollbackRequest
{
    /// <summary>The release to activate again.</summary>
    /// <example>3</example>
    public int? Version { get; init; }
}

/// <summary>An application in the list.</summary>
public sealed record AppSummary(
    string Name, int? ActiveVersion, long Generation, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt);

/// <summary>An application with its active release.</summary>
public sealed record AppView(
    string Name, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, long Generation, ReleaseView? ActiveRelease);

/// <summary>A release in the history.</summary>
public sealed record ReleaseSummary(int Version, DateTimeOffset CreatedAt, long Generation, bool Active, int RouteCount);

/// <summary>One release with its route bindings.</summary>
/// <param name="App">The application.</param>
/// <param name="Version">Release number, from 1.</param>
/// <param name="CreatedAt">When it was deployed.</param>
/// <param name="Generation">The generation at which it was first activated.</param>
/// <param name="Active">Whether it is the application's active release.</param>
/// <param name="Routes">Its route bindings, in the order they were deployed.</param>
public sealed record ReleaseView(
    string App, int Version, DateTimeOffset CreatedAt, long Generation, bool Active, IReadOnlyList<RouteView> Routes);

/// <summary>One route binding of a release, with defaults filled in.</summary>
/// <param name="Route">The route pattern.</param>
/// <param name="Module">Digest of the module.</param>
/// <param name="Entrypoint">The export called.</param>
/// <param name="Environment">Variables set on the binding.</param>
/// <param name="Argv">The argv template, or null for the WAGI default.</param>
/// <param name="Volumes">Host directories mounted.</param>
/// <param name="Limits">Resource limits.</param>
/// <param name="Files">Guest path → digest of the file bundle mounted read-only there, by guest path.</param>
public sealed record RouteView(
    string Route,
    string Module,
    string Entrypoint,
    IReadOnlyDictionary<string, string> Environment,
    string? Argv,
    IReadOnlyList<VolumeMount> Volumes,
    RouteLimits Limits,
    IReadOnlyDictionary<string, string> Files);

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
    string? Error);
