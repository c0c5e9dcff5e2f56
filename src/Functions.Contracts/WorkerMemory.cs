namespace Functions.Contracts;

/// <summary>
/// What one invocation may take of a worker's memory, and the worker's default budget for it: one rule for the worker's
/// admission (<c>Worker:MemoryBudgetBytes</c>) and the control plane's deploy check
/// (<c>Functions:DeployChecks:WorkerMemoryBytes</c>), so a route the control plane accepts fits every worker configured
/// as it is.
/// </summary>
public static class WorkerMemory
{
    /// <summary>The stdout cap of every invocation (WAGI.md): past it the run stops and the client gets 502.</summary>
    public const long OutputCapBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The default budget: three quarters of the memory this process may use (the container's cgroup limit when there
    /// is one, else the machine's memory, as the .NET GC sees it); the rest is the host's own (compiled modules, ready
    /// instances, Kestrel, the GC's headroom).
    /// </summary>
    public static long DefaultBudgetBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;

    /// <summary>What an admitted invocation reserves before its body arrives: its linear memory limit and output cap.</summary>
    public static long Reservation(RouteLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits.MemoryMb * 1024L * 1024L + OutputCapBytes;
    }

    /// <summary>The most one invocation of a route can hold at once: <see cref="Reservation"/> and a body at its limit.</summary>
    public static long Footprint(RouteLimits limits) => Reservation(limits) + Math.Max(0, limits.MaxBodyBytes);
}
