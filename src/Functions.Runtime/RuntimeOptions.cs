using System.ComponentModel.DataAnnotations;

namespace Functions.Runtime;

/// <summary>Engine-wide settings of the Wasmtime runtime (one per process). Section <c>Runtime</c>.</summary>
public sealed class RuntimeOptions
{
    public const string Section = "Runtime";

    /// <summary>Where compiled artifacts are kept between restarts; null keeps them in memory only.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>How often the epoch advances: the resolution of timeouts and cancellation.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan EpochTick { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The longest a module's instantiation (its start section) may take, running or sleeping, when the function's own
    /// timeout is not shorter. Instances are made by the refill thread, shared by every function, and by deploys: a
    /// start section that loops or sleeps past it fails to instantiate, saying so, and holds neither.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan InstantiationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Instance slots of Wasmtime's pooling allocator, shared by every function: ready instances plus running ones.
    /// Each slot reserves address space for <see cref="MaxMemoryMbPerInstance"/> (not memory). With every slot in use,
    /// invocations are answered Busy.
    /// </summary>
    [Range(4, 100_000)]
    public int PoolingTotalInstances { get; set; } = 1_000;

    /// <summary>The largest linear memory any function may be given; routes ask for less through their memory limit.</summary>
    [Range(1, 4096)]
    public int MaxMemoryMbPerInstance { get; set; } = 4096;

    /// <summary>
    /// Bytes of each linear memory the pooling allocator resets with memset, when its slot is reused, instead of
    /// giving the pages back to the OS with <c>madvise</c>. Default 256 KiB: every <c>madvise</c> of touched pages
    /// flushes the TLB of every core the process runs on, which costs more than memsetting a small module's whole
    /// memory (docs/performance.md: with the other defaults, hello-c 110 → 48 µs per invocation). The price is memory:
    /// each warm slot keeps up to this much resident, and a module with a larger memory memsets this much at every
    /// reuse (at 1 MiB the Rust page sample took twice as long).
    /// </summary>
    [Range(0, 64L * 1024 * 1024)]
    public long LinearMemoryKeepResidentBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Bytes of each table reset with memset instead of <c>madvise</c> when its slot is reused; as
    /// <see cref="LinearMemoryKeepResidentBytes"/>, for the tables of indirect calls every C or Rust module has.
    /// Default 64 KiB (8 192 entries): the C hello's one-page table cost a TLB flush per invocation without it.
    /// </summary>
    [Range(0, 64L * 1024 * 1024)]
    public long TableKeepResidentBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Whether compiled code may rely on signal handlers and guard pages instead of explicit bounds checks. Default
    /// false: every instance's memory is then bounds-checked in code, and a reused slot needs no <c>mprotect</c> to
    /// shrink a memory the previous instance grew (a TLB flush of every core, ≈ 80 µs per invocation on the
    /// benchmark machine). True makes memory-heavy code ≈ 10–15 % faster (the 1 MB Rust sample: 1 081 → 958 µs) at that
    /// per-invocation price for every module that grows its memory. Changes the generated code: a separate disk cache.
    /// </summary>
    public bool SignalsBasedTraps { get; set; }

    /// <summary>Execution threads kept alive while idle; more start on demand up to <see cref="MaxExecutionThreads"/>.</summary>
    [Range(1, 4096)]
    public int ExecutionThreads { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>
    /// Ceiling on threads running WebAssembly at once. Below it every admitted invocation gets a thread at once, so a
    /// slow function never delays another; at it invocations wait for a thread.
    /// </summary>
    [Range(1, 8192)]
    public int MaxExecutionThreads { get; set; } = 1024;

    /// <summary>How long a thread above <see cref="ExecutionThreads"/> waits for work before it exits.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan ExecutionThreadIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Invocations that may run on the caller's own thread at once instead of on an execution thread (0: never). Only
    /// functions whose recent runs completed within <see cref="InlineRunThreshold"/> qualify (16 more fast runs than
    /// slow or failed ones). Skipping the
    /// hand-off halves the CPU a short request costs on a busy machine (docs/performance.md); the bound is what a
    /// function that turns slow can take from the caller's threads (the thread pool, in a server) until its timeout.
    /// </summary>
    [Range(0, 1024)]
    public int InlineRuns { get; set; } = 4 * Environment.ProcessorCount;

    /// <summary>The run time under which a function counts as short enough to run inline (0: never).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan InlineRunThreshold { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Stack of each execution thread; WebAssembly uses at most Wasmtime's 512 KiB of it.</summary>
    [Range(1024 * 1024, 256 * 1024 * 1024)]
    public int ExecutionThreadStackBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The most instances a function keeps ready when <see cref="FunctionSettings.ReadyInstances"/> is not set. A pool
    /// starts with none; demand raises its target up to this.
    /// </summary>
    [Range(0, 10_000)]
    public int DefaultReadyInstances { get; set; } = 8;

    /// <summary>
    /// How long a function must see no request before it scales to zero: its ready instances are released, and its
    /// compiled module may leave memory (within <see cref="ModuleMemoryBytes"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan IdleShrinkAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often every pool's ready target is measured against its demand: a pool that served fewer requests in the
    /// interval than it keeps ready lowers its target towards the interval's peak concurrency.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ScaleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Compiled modules kept in memory, in bytes of their compiled artifacts (default 256 MiB). Past it, the least
    /// recently used modules that no running or ready function holds leave memory; a route's next request deserializes
    /// its module again from the disk cache (about a millisecond for a small module). Modules no route refers to leave
    /// memory at once when there is a disk cache (<see cref="CacheDirectory"/>); without one they stay within the bound.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long ModuleMemoryBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Bound of the disk cache (default 4 GiB). Past it, artifacts of modules no route refers to are deleted, least
    /// recently written first; artifacts of modules in use stay, so the folder can exceed it by what is deployed.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long DiskCacheMaxBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>How long the artifact of a module no route refers to stays on disk, for a redeploy or a rollback (default 1 h).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan DiskCacheGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the disk cache is swept for artifacts past their grace period or its bound.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DiskCacheSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>stderr bytes kept per invocation; the rest is dropped with a note (a run is stopped past its output limit).</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxStderrBytes { get; set; } = 64 * 1024;

    /// <summary>Every problem with these options, each naming the setting and what to use; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        var problems = results.Select(r => $"Runtime:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}").ToList();
        if (ExecutionThreads > MaxExecutionThreads)
        {
            problems.Add($"Runtime:ExecutionThreads ({ExecutionThreads}) must not exceed Runtime:MaxExecutionThreads ({MaxExecutionThreads}).");
        }

        if (LinearMemoryKeepResidentBytes > MaxMemoryMbPerInstance * 1024L * 1024L)
        {
            problems.Add("Runtime:LinearMemoryKeepResidentBytes must not exceed Runtime:MaxMemoryMbPerInstance.");
        }

        return problems;
    }
}
