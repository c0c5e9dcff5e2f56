using System.ComponentModel.DataAnnotations;

namespace Functions.Worker.Logs;

/// <summary>
/// How much of what functions write this worker forwards to the control plane. Section <c>Worker:Logs</c>. Publishing
/// never holds an invocation back: past these bounds records are dropped and counted
/// (<c>functions_log_records_dropped_total</c>), never queued without limit.
/// </summary>
public sealed class LogOptions
{
    public const string Section = "Worker:Logs";

    /// <summary>Forward stderr lines and invocation events at all (the worker's own log keeps them either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Records each route may forward per second, on average (a token bucket; stderr and events apart).</summary>
    [Range(0.01, 1_000_000)]
    public double RecordsPerSecond { get; set; } = 100;

    /// <summary>Records a route may forward at once after a quiet spell (the bucket's size).</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 200;

    /// <summary>Characters a stderr line keeps; the rest is cut and the record says how much.</summary>
    [Range(16, 1_000_000)]
    public int MaxLineLength { get; set; } = 2048;

    /// <summary>Records waiting for the broker; past it new records are dropped (reason <c>queue_full</c>).</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Records sent in one message at most.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>How long one publish may wait for the broker before its records are dropped (reason <c>broker</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
