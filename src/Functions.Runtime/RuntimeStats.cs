namespace Functions.Runtime;

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
    int ExecutionThreads)
{
    /// <summary>Bytes of compiled modules in memory, as counted against <see cref="RuntimeOptions.ModuleMemoryBytes"/>.</summary>
    public long ModuleBytes { get; init; }

    /// <summary>Modules that left memory: over the bound, or no route refers to them any more.</summary>
    public long ModuleEvictions { get; init; }

    /// <summary>Pools alive (or disposed and still finishing invocations).</summary>
    public int Pools { get; init; }
}
