using Functions.Cli.Api;

namespace Functions.Cli.Output;

/// <summary><c>--json</c> of <c>delete</c> and <c>modules rm</c>: what was deleted.</summary>
internal sealed record Deleted(string Kind, string Name);

/// <summary><c>--json</c> of <c>status</c>: the rollout and what it adds up to.</summary>
/// <param name="State"><c>complete</c>, <c>pending</c>, <c>failed</c> or <c>no-live-workers</c>.</param>
/// <param name="TimedOut">True when <c>--wait</c> gave up.</param>
/// <param name="Rollout">Per worker, as the control plane reports it.</param>
internal sealed record StatusDocument(string State, bool TimedOut, Rollout Rollout);
