namespace Functions.Contracts.Api;

/// <summary>A worker node as the control plane last heard from it.</summary>
/// <param name="NodeId">The node's id (its queue is named after it).</param>
/// <param name="Address">Where it serves HTTP.</param>
/// <param name="Version">The worker's software version.</param>
/// <param name="LastHeartbeat">When it last reported.</param>
/// <param name="AppliedGeneration">The last generation it serves.</param>
/// <param name="FailedGeneration">A newer generation it could not apply, if any.</param>
/// <param name="LastError">Why applying <paramref name="FailedGeneration"/> failed.</param>
/// <param name="FailedApps">The apps it could not apply (each keeps its last good release there, or nothing); only
/// those, never the healthy ones.</param>
/// <param name="State">
/// <c>ready</c> (at the current generation; apps that failed there are listed in <paramref name="FailedApps"/>, they do
/// not make the worker failed), <c>syncing</c>, <c>failed</c> (it could not process a newer generation at all) or
/// <c>offline</c>.
/// </param>
public sealed record WorkerView(
    string NodeId,
    string Address,
    string Version,
    DateTimeOffset LastHeartbeat,
    long AppliedGeneration,
    long? FailedGeneration,
    string? LastError,
    IReadOnlyList<AppFailure> FailedApps,
    string State);

/// <summary>One page of the worker nodes, and the generation they should all reach.</summary>
/// <param name="Generation">The current global generation.</param>
/// <param name="PageIndex">Zero-based page number.</param>
/// <param name="PageSize">Nodes per page.</param>
/// <param name="Count">Nodes recorded: every node heard from within <c>Functions:WorkerExpireAfter</c>.</param>
/// <param name="Workers">This page's nodes, by id.</param>
public sealed record WorkerList(long Generation, int PageIndex, int PageSize, long Count, IReadOnlyList<WorkerView> Workers);
