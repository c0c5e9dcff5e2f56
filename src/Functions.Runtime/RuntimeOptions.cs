using System.ComponentModel.DataAnnotations;

namespace Functions.Runtime;

/// <summary>Engine-wide settings of the Wasmtime runtime. Section <c>Runtime</c>.</summary>
public sealed class RuntimeOptions
{
    /// <summary>Where compiled artifacts are kept between restarts; null keeps them in memory only.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// Where each execution thread keeps its stdin/stdout/stderr files. A tmpfs (<c>/dev/shm</c>) keeps them in memory;
    /// a disk folder works but costs a file write per request.
    /// </summary>
    public string? ScratchDirectory { get; set; } = Directory.Exists("/dev/shm") ? "/dev/shm" : null;

    /// <summary>How often the epoch advances: the resolution of timeouts and of the output-size check.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan EpochTick { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Instances the pooling allocator can hold at once (ready ones plus running ones, over all functions).</summary>
    [Range(16, 100_000)]
    public int MaxInstances { get; set; } = 2_000;

    /// <summary>The largest linear memory any function may be given; routes ask for less through their memory limit.</summary>
    [Range(1, 4096)]
    public int MaxMemoryMb { get; set; } = 4096;

    /// <summary>
    /// Bytes of each linear memory the pooling allocator resets by memset instead of returning to the OS. Helps small
    /// modules a lot and hurts large ones: size it by measurement (see docs/performance.md).
    /// </summary>
    [Range(0, 64L * 1024 * 1024)]
    public long LinearMemoryKeepResidentBytes { get; set; }

    /// <summary>Execution threads kept alive while idle; more are started on demand (see <see cref="MaxExecutionThreads"/>).</summary>
    [Range(0, 4096)]
    public int MinExecutionThreads { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    /// <summary>Upper bound on threads running WebAssembly at once; beyond it invocations wait for a thread.</summary>
    [Range(1, 8192)]
    public int MaxExecutionThreads { get; set; } = 1024;

    /// <summary>How long a function must see no request before its ready instances are released.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan IdleShrinkAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Ceiling on one invocation's captured stderr; the rest is dropped with a note.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxStderrBytes { get; set; } = 64 * 1024;

    internal void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new ArgumentException("Invalid runtime options: " + string.Join("; ", results.Select(r => r.ErrorMessage)));
        }

        if (MinExecutionThreads > MaxExecutionThreads)
        {
            throw new ArgumentException("Runtime:MinExecutionThreads must not exceed Runtime:MaxExecutionThreads.");
        }
    }
}
