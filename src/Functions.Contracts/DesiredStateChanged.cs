namespace Functions.Contracts;

/// <summary>
/// The doorbell: published after every activation, rollback or deletion. Workers that hear it pull the
/// desired state at <paramref name="Generation"/> or later from the control plane; the message carries no state.
/// </summary>
/// <param name="Generation">The generation the deployment committed.</param>
/// <param name="ChangedAt">When the control plane committed it.</param>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the control plane's publish span, so each worker's pull, compile and apply spans join
/// the deploy's trace; null when the deploy was not traced.
/// </param>
/// <param name="PullSpreadMs">
/// Over how many milliseconds the fleet should spread its pulls: each worker waits a random time below this (and below
/// its own <c>Worker:PullJitter</c>) before it pulls. Sized by the control plane from the live workers it knows, 0 for
/// a small fleet; null (a message from an older control plane) means no wait.
/// </param>
public sealed record DesiredStateChanged(long Generation, DateTimeOffset ChangedAt, string? TraceParent = null, int? PullSpreadMs = null);
