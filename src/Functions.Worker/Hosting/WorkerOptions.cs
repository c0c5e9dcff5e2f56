using System.ComponentModel.DataAnnotations;

namespace Functions.Worker.Hosting;

/// <summary>How a worker node finds the control plane and keeps up with it. Section <c>Worker</c>.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>This node's id; it also names the node's own queue. Defaults to the host name plus a random suffix.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,100}$", ErrorMessage = "Worker:NodeId may hold letters, digits, '.', '_' and '-' (1-100).")]
    public string NodeId { get; set; } = $"{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The control plane's base address, e.g. <c>http://127.0.0.1:5080</c>.</summary>
    [Required(ErrorMessage = "Set Worker:ControlPlaneUrl (env Worker__ControlPlaneUrl) to the control plane's address.")]
    public Uri? ControlPlaneUrl { get; set; }

    /// <summary>The workers' credential for the control plane's internal surface (env <c>FUNCTIONS_WORKER_KEY</c>).</summary>
    [Required(ErrorMessage = "Set FUNCTIONS_WORKER_KEY (or Worker:Key) to the key the control plane gives workers.")]
    public string? Key { get; set; }

    /// <summary>
    /// Where the worker answers <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (and nothing else), separated by
    /// <c>;</c>: ports of their own, apart from the invocation port, where every path is a function's. Read at start-up.
    /// </summary>
    public string ManagementUrls { get; set; } = DefaultManagementUrls;

    /// <summary>Loopback only: a probe or scraper on another machine (a kubelet, Prometheus) needs e.g. <c>http://+:9090</c>.</summary>
    public const string DefaultManagementUrls = "http://127.0.0.1:9090";

    /// <summary>Where this worker answers invocations, as reported to the control plane. Defaults to the first listening URL.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>How often the worker checks the control plane's generation even without a message.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker reports its state. The control plane shows a node as gone after three missed beats.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a deployment's message, the pull waits a random time below the spread the message asks for (the control
    /// plane sizes it by the fleet: 0 for a few workers, about a second for 1,000), capped by this, so that a fleet's
    /// pulls do not reach the control plane in one burst. 0 always pulls at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan PullJitter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a failed sync waits before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long shutdown waits for in-flight invocations before it leaves.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a file bundle download may bring no bytes before it is abandoned and the sync retried
    /// (HttpClient's own timeout covers only the response headers of a streamed download).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan DownloadIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The host directory under which this worker mounts route volumes, after following symlinks (the control plane's
    /// <c>Functions:VolumesRoot</c> as this machine sees it). Unset: the worker mounts no volumes, and an app that has
    /// some fails here, saying so.
    /// </summary>
    public string? VolumesRoot { get; set; }

    /// <summary>
    /// Where compiled artifacts are kept between restarts: native code the worker runs, so the runtime creates it 0700
    /// and refuses one that another user owns or can write. By default <c>$XDG_CACHE_HOME/functions-worker</c>, else
    /// <c>~/.cache/functions-worker</c>: a fixed name in the shared <c>/tmp</c> could be taken first by another local user.
    /// </summary>
    public string CacheDirectory { get; set; } = DefaultCacheDirectory();

    private static string DefaultCacheDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            cache = string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), "functions-" + Environment.UserName) : Path.Combine(home, ".cache");
        }

        return Path.Combine(cache, "functions-worker");
    }

    /// <summary>
    /// Memory admitted invocations may hold at once, in bytes: each reserves its route's memory limit and output cap
    /// (64 MiB) when its route matches, and its body as it arrives; a request that does not fit is answered 503 with
    /// Retry-After, and a route that could never fit fails at deploy. Default (unset): three quarters of the memory
    /// the worker may use (its cgroup limit, else the machine's).
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>
    /// The part of <see cref="MemoryBudgetBytes"/> request bodies in flight may hold, charged as their bytes arrive
    /// (never from the declared Content-Length); past it requests are answered 503 with Retry-After. Default (unset): a
    /// quarter of the memory budget.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? BodyBudgetBytes { get; set; }

    /// <summary>
    /// The slowest a client may send a request body, in bytes per second, after a grace period of
    /// <see cref="MinDataRateGracePeriod"/> (Kestrel's <c>MinRequestBodyDataRate</c>): a client that trickles is
    /// disconnected instead of holding its admission. 0 turns the check off.
    /// </summary>
    [Range(0, 1_000_000_000)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>The slowest a client may read a response, in bytes per second, after the grace period (Kestrel's <c>MinResponseDataRate</c>). 0: off.</summary>
    [Range(0, 1_000_000_000)]
    public double MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>How long a client may stay under the minimum data rates before it is disconnected (Kestrel refuses 1 s or less).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", MinimumIsExclusive = true,
        ErrorMessage = "Worker:MinDataRateGracePeriod must be more than 1 second (Kestrel's minimum) and at most 10 minutes, e.g. 00:00:05.")]
    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most instances kept ready per function: a function holds none while idle, and demand raises it up to this.</summary>
    [Range(0, 1024)]
    public int ReadyInstances { get; set; } = 16;
}
