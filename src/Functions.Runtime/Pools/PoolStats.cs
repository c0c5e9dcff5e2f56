namespace Functions.Runtime;

/// <summary>A pool's counters since it was created.</summary>
/// <param name="Ready">Instances instantiated and waiting.</param>
/// <param name="TargetReady">How many the refill keeps ready while the function is in use.</param>
/// <param name="InFlight">Invocations admitted and not yet finished.</param>
/// <param name="Invocations">Invocations admitted (not counting Busy answers).</param>
/// <param name="Hits">Invocations served by a ready instance.</param>
/// <param name="Misses">Invocations that instantiated on demand.</param>
/// <param name="Instantiations">Instances made, ahead of demand or on it.</param>
/// <param name="InstantiationFailures">Instantiations that failed (e.g. a trapping start section).</param>
/// <param name="BusyRejections">Invocations answered Busy.</param>
public sealed record PoolStats(
    int Ready,
    int TargetReady,
    int InFlight,
    long Invocations,
    long Hits,
    long Misses,
    long Instantiations,
    long InstantiationFailures,
    long BusyRejections);

/// <summary>The runtime's counters since it started.</summary>
/// <param name="Compiles">Modules compiled (not loaded from a cache).</param>
/// <param name="CompileTime">Time spent compiling.</param>
/// <param name="MemoryCacheHits">Loads answered from memory.</param>
/// <param name="DiskCacheHits">Loads answered from the disk cache.</param>
/// <param name="DiskCacheWrites">Artifacts written to the disk cache.</param>
/// <param name="DiskCacheRejected">Disk cache files found corrupt or foreign, deleted.</param>
/// <param name="ModulesLoaded">Modules in memory.</param>
/// <param name="LiveInstances">Instances alive (ready or running) against the pooling allocator's slots.</param>
/// <param name="ExecutionThreads">Execution threads alive.</param>
public sealed record RuntimeStats(
    long Compiles,
    TimeSpan CompileTime,
    long MemoryCacheHits,
    long DiskCacheHits,
    long DiskCacheWrites,
    long DiskCacheRejected,
    int ModulesLoaded,
    int LiveInstances,
    int ExecutionThreads);
