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

    /// <summary>Where this worker answers invocations, as reported to the control plane. Defaults to the first listening URL.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>How often the worker checks the control plane's generation even without a message.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker reports its state. The control plane shows a node as gone after three missed beats.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a failed sync waits before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long shutdown waits for in-flight invocations before it leaves.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

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

    /// <summary>The most instances kept ready per function: a function holds none while idle, and demand raises it up to this.</summary>
    [Range(0, 1024)]
    public int ReadyInstances { get; set; } = 16;
}
