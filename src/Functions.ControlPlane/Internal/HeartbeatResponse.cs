namespace Functions.ControlPlane.Internal;

/// <summary>The answer to a heartbeat: the current generation, so a worker that is behind knows to sync.</summary>
/// <param name="Generation">The current global generation.</param>
public sealed record HeartbeatResponse(long Generation);
