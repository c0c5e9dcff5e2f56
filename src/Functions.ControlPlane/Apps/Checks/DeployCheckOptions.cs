using System.ComponentModel.DataAnnotations;

namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// How the control plane tries a release's modules before it stores the release (section
/// <c>Functions:DeployChecks</c>). The engine itself is configured from the workers' own <c>Runtime</c> section, so
/// give the control plane the same one.
/// </summary>
public sealed class DeployCheckOptions
{
    public const string Section = "Functions:DeployChecks";

    /// <summary>Try every module on the workers' engine at deploy; off, only the request's own fields are checked.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Longest a trial instantiation (start section included) or a run of <c>_routes</c> may take; a route's own
    /// timeout is used when it is shorter.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan TrialTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deploy requests checked at once; more wait. Compiling a module takes a core for up to seconds.</summary>
    [Range(1, 64)]
    public int MaxConcurrentChecks { get; set; } = 2;

    /// <summary>
    /// Modules kept compiled between checks, each by a scaled-to-zero pool (least recently checked leave first), so a
    /// redeploy does not compile them again.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxLoadedModules { get; set; } = 256;

    /// <summary>
    /// The memory budget of the workers (their <c>Worker:MemoryBudgetBytes</c>): a route one invocation of which could
    /// hold more (memoryMb + the 64 MiB output cap + maxBodyBytes) is refused, since no worker would ever admit it.
    /// Default (unset): three quarters of this host's memory, the workers' own default; set it to the smallest
    /// worker's budget when workers run elsewhere or with another limit.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? WorkerMemoryBytes { get; set; }

    /// <summary>
    /// Memory for compiled modules no kept pool holds (those compiled at upload, waiting for their deploy), in bytes of
    /// their compiled artifacts; past it the least recently used leave, and a deploy of one compiles it again. Default
    /// 128 MiB (≈ 1 500 small modules of 80 KiB).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long ModuleMemoryBytes { get; set; } = 128L * 1024 * 1024;
}
