using Functions.ControlPlane.OpenApi;

namespace Functions.ControlPlane.Hosting;

/// <summary>The control plane's tunables, bound from the <c>Functions</c> configuration section.</summary>
public sealed class ControlPlaneOptions
{
    public const string Section = "Functions";

    /// <summary>Postgres stores module bytes as <c>bytea</c>, whose values stop at 1 GiB.</summary>
    public const long MaxModuleBytesCeiling = 1L << 30;

    /// <summary>
    /// The admin API key. The environment variable <c>FUNCTIONS_ADMIN_KEY</c> wins over this; when neither is set,
    /// the first start generates one, keeps its hash in the database and prints it to the console (stderr, not the logs) once.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>The workers' key (environment <c>FUNCTIONS_WORKER_KEY</c> wins); it reads only <c>/internal/v1</c>.</summary>
    public string? WorkerKey { get; set; }

    /// <summary>
    /// Where <c>/metrics</c> answers, and nothing else: URLs with fixed ports apart from the API's, <c>;</c>-separated
    /// (read at start-up by <see cref="Functions.Hosting.ManagementEndpoint"/>, which Kestrel listens on).
    /// </summary>
    public string ManagementUrls { get; set; } = DefaultManagementUrls;

    public const string DefaultManagementUrls = "http://127.0.0.1:9091";

    /// <summary>Largest module accepted by <c>POST /api/v1/modules</c>, in bytes (default 50 MiB).</summary>
    public long MaxModuleBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Host directory under which every volume of a route binding must resolve; null disables volumes.</summary>
    public string? VolumesRoot { get; set; }

    /// <summary>Apply pending migrations at start-up (under a Postgres advisory lock).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>A worker whose last heartbeat is older than this is shown as <c>offline</c>.</summary>
    public TimeSpan WorkerStaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A worker not heard from for this long is forgotten: a background sweep deletes its row, so it no longer shows in
    /// <c>/api/v1/workers</c> nor in any rollout (a dead node does not hold a rollout back), and it frees its place
    /// under <see cref="MaxWorkers"/>. A node that reports again later is recorded anew.
    /// </summary>
    public TimeSpan WorkerExpireAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Heartbeats that change nothing but the time are not written one by one: the last time each node was heard from
    /// is kept in memory and written for every node in one statement this often (a changed report is written at
    /// once). The workers list and rollouts write them first, so they show exact times; with several control plane
    /// instances, another instance's nodes are shown up to this much older. Must be shorter than <see cref="WorkerStaleAfter"/>.
    /// </summary>
    public TimeSpan HeartbeatFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the current generation read from Postgres is trusted for heartbeats and unchanged pulls. Deployments
    /// through this instance update it at once; with several instances, another instance's deployment is seen within
    /// this time (workers told of a newer generation retry their pull).
    /// </summary>
    public TimeSpan GenerationCacheTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How much each live worker (one heard from within <see cref="WorkerStaleAfter"/>) widens the window over which the
    /// fleet spreads its pulls after a deployment's message: 1,000 workers at 1 ms spread over a second. The window goes
    /// in the message (<c>PullSpreadMs</c>); each worker waits a random time below it before pulling.
    /// </summary>
    public TimeSpan PullSpreadPerWorker { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Fleets of at most this many live workers pull at once (spread 0): a burst of a few pulls costs nothing.</summary>
    public int PullSpreadMinWorkers { get; set; } = 16;

    /// <summary>The widest pull spread, however large the fleet (each worker also caps it by its <c>Worker:PullJitter</c>).</summary>
    public TimeSpan PullSpreadMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the sweep of <see cref="WorkerExpireAfter"/> runs.</summary>
    public TimeSpan WorkerSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most worker nodes recorded at once. A heartbeat from a new node past it is refused (409) until expired nodes are
    /// swept; known nodes keep reporting.
    /// </summary>
    public int MaxWorkers { get; set; } = 1000;

    /// <summary>File bundles (<c>Functions:Files:*</c>): upload limits and the scratch folder.</summary>
    public Files.FileBundleOptions Files { get; set; } = new();

    /// <summary>Swagger UI and the OpenAPI document (<c>Functions:SwaggerUi:*</c>).</summary>
    public SwaggerUiOptions SwaggerUi { get; set; } = new();

    /// <summary>How long one attempt to publish on the bus may take before it is retried in the background.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between two attempts to publish while the broker is unreachable.</summary>
    public TimeSpan PublishRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
