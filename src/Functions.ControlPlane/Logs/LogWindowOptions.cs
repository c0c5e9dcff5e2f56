using System.ComponentModel.DataAnnotations;

namespace Functions.ControlPlane.Logs;

/// <summary>
/// The in-memory window of recent function logs, section <c>Functions:Logs</c>. Memory is bounded by
/// <see cref="RecordsPerApp"/> × <see cref="MaxApps"/> records of at most <see cref="MaxTextLength"/> characters.
/// </summary>
public sealed class LogWindowOptions
{
    public const string Section = "Functions:Logs";

    /// <summary>Records kept per app, newest; older ones leave.</summary>
    [Range(1, 1_000_000)]
    public int RecordsPerApp { get; set; } = 1000;

    /// <summary>Apps with a window at once; past it the app written to least recently loses its window.</summary>
    [Range(1, 1_000_000)]
    public int MaxApps { get; set; } = 1000;

    /// <summary>Characters of a record's text kept (workers cut theirs at Worker:Logs:MaxLineLength already).</summary>
    [Range(16, 1_000_000)]
    public int MaxTextLength { get; set; } = 8192;

    /// <summary>How often an idle event stream sends a comment, so proxies and clients see it alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Messages the broker holds for this replica's queue before it drops the oldest (a replica that lags).</summary>
    [Range(1, 10_000_000)]
    public int QueueLength { get; set; } = 10_000;
}
