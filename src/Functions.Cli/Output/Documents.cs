using Functions.Contracts.Api;

namespace Functions.Cli.Output;

/// <summary><c>--json</c> of <c>delete</c> and <c>modules rm</c>: what was deleted.</summary>
internal sealed record Deleted(string Kind, string Name);

/// <summary><c>--json</c> of <c>status</c>: the rollout and what it adds up to.</summary>
/// <param name="State"><c>complete</c>, <c>pending</c>, <c>failed</c> or <c>no-live-workers</c>.</param>
/// <param name="TimedOut">True when <c>--wait</c> gave up.</param>
/// <param name="Rollout">Per worker, as the control plane reports it.</param>
internal sealed record StatusDocument(string State, bool TimedOut, RolloutView Rollout);

/// <summary>
/// <c>--json</c> of <c>workers</c>: every node in one list (the CLI pages through them), not the API's page of them.
/// </summary>
/// <param name="Generation">The generation every worker should reach.</param>
/// <param name="Workers">Every worker node, as the control plane reports it.</param>
/// <param name="Count">How many there are.</param>
internal sealed record WorkersDocument(long Generation, IReadOnlyList<WorkerView> Workers, long Count);
