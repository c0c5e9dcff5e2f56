namespace Functions.Runtime;

/// <summary>A pool's counters since it was created.</summary>
public sealed record PoolStats(int Ready, int InFlight, long Hits, long Misses, long Instantiations, long BusyRejections);

/// <summary>The runtime's counters since it started.</summary>
public sealed record RuntimeStats(long Compiles, long DiskCacheHits, TimeSpan CompileTime, int ExecutionThreads);
