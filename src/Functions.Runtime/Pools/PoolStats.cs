namespace Functions.Runtime;

/// <summary>A pool's counters since it was created.</summary>
/// <param name="Ready">Instances instantiated and waiting.</param>
/// <param name="TargetReady">How many the refill keeps ready now: measured demand, 0 while idle.</param>
/// <param name="InFlight">Invocations admitted and not yet finished.</param>
/// <param name="Invocations">Invocations admitted (not counting Busy answers).</param>
/// <param name="Hits">Invocations served by a ready instance.</param>
/// <param name="Misses">Invocations that instantiated on demand.</param>
/// <param name="Instantiations">Instances made, ahead of demand or on it.</param>
/// <param name="InstantiationFailures">Instantiations that failed (e.g. a trapping start section).</param>
/// <param name="BusyRejections">Invocations answered Busy.</param>
/// <param name="InlineRuns">Invocations of <c>FunctionPool.InvokeAsync</c> run on the caller's thread.</param>
public sealed record PoolStats(
    int Ready,
    int TargetReady,
    int InFlight,
    long Invocations,
    long Hits,
    long Misses,
    long Instantiations,
    long InstantiationFailures,
    long BusyRejections,
    long InlineRuns)
{
    /// <summary>The most ready instances demand may raise the target to (<see cref="FunctionSettings.ReadyInstances"/>).</summary>
    public int MaxReady { get; init; }

    /// <summary>Whether the pool holds its compiled module now (false while it is scaled to zero).</summary>
    public bool ModuleLoaded { get; init; }
}
