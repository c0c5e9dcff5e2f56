namespace Functions.Contracts;

/// <summary>
/// The doorbell: published after every activation, rollback or deletion. Workers that hear it pull the
/// desired state at <paramref name="Generation"/> or later from the control plane; the message carries no state.
/// </summary>
public sealed record DesiredStateChanged(long Generation, DateTimeOffset ChangedAt);
