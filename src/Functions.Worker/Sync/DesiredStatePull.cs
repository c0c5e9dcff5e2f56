using Functions.Contracts;

namespace Functions.Worker.Sync;

/// <summary>The answer to a desired-state pull: the state and its ETag, or <see cref="State"/> null when the control
/// plane answered 304 (nothing changed since the ETag sent).</summary>
public sealed record DesiredStatePull(DesiredState? State, string? ETag)
{
    public bool NotModified => State is null;
}
