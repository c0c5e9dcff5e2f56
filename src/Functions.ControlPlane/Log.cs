namespace Functions.ControlPlane;

/// <summary>Every log line the control plane writes, with stable event ids (1xxx start-up, 2xxx API, 3xxx bus).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Warning,
        "No admin key was configured, so one was generated and printed once to the console (stderr), not to the logs; its hash is kept in the database. Set FUNCTIONS_ADMIN_KEY to choose your own.")]
    public static partial void AdminKeyGenerated(ILogger logger);

    [LoggerMessage(1001, LogLevel.Warning,
        "No worker key is configured (FUNCTIONS_WORKER_KEY or Functions:WorkerKey): only the admin key can read /internal/v1.")]
    public static partial void NoWorkerKey(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "Applied {Count} migration(s): {Migrations}")]
    public static partial void MigrationsApplied(ILogger logger, int count, string migrations);

    [LoggerMessage(1003, LogLevel.Information, "Database schema is up to date")]
    public static partial void MigrationsUpToDate(ILogger logger);

    [LoggerMessage(1005, LogLevel.Information,
        "Forgot {Count} worker node(s) not heard from for {ExpireAfter} (Functions:WorkerExpireAfter)")]
    public static partial void WorkersExpired(ILogger logger, int count, TimeSpan expireAfter);

    [LoggerMessage(1006, LogLevel.Warning, "Could not sweep expired worker nodes; trying again at the next interval")]
    public static partial void WorkerSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Could not write the coalesced worker heartbeats; trying again at the next interval")]
    public static partial void HeartbeatFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(2000, LogLevel.Information, "Module {Digest} uploaded ({Size} bytes)")]
    public static partial void ModuleUploaded(ILogger logger, string digest, long size);

    [LoggerMessage(2001, LogLevel.Information, "Module {Digest} deleted")]
    public static partial void ModuleDeleted(ILogger logger, string digest);

    [LoggerMessage(2002, LogLevel.Information, "Application {App} release {Version} activated at generation {Generation}")]
    public static partial void ReleaseActivated(ILogger logger, string app, int version, long generation);

    [LoggerMessage(2003, LogLevel.Information, "Application {App} deleted at generation {Generation}")]
    public static partial void AppDeleted(ILogger logger, string app, long generation);

    [LoggerMessage(2004, LogLevel.Information,
        "Deploy checks of application {App}: {Routes} route(s) tried on the workers' engine, {Problems} problem(s), in {Milliseconds:F0} ms")]
    public static partial void DeployChecked(ILogger logger, string app, int routes, int problems, double milliseconds);

    [LoggerMessage(2005, LogLevel.Information, "File bundle {Digest} uploaded ({Files} files, {Size} bytes unpacked)")]
    public static partial void FilesUploaded(ILogger logger, string digest, int files, long size);

    [LoggerMessage(2006, LogLevel.Information, "File bundle {Digest} deleted")]
    public static partial void FilesDeleted(ILogger logger, string digest);

    [LoggerMessage(3000, LogLevel.Debug, "Published DesiredStateChanged for generation {Generation}")]
    public static partial void Published(ILogger logger, long generation);

    [LoggerMessage(3001, LogLevel.Warning,
        "Could not publish DesiredStateChanged for generation {Generation} (attempt {Attempt}); retrying in {Delay}. Workers still converge by polling. Check ConnectionStrings:RabbitMq and the broker.")]
    public static partial void PublishFailed(ILogger logger, Exception exception, long generation, int attempt, TimeSpan delay);

    [LoggerMessage(3002, LogLevel.Warning,
        "Could not count the live workers to size the pull spread; the message asks for the widest (Functions:PullSpreadMax). Check ConnectionStrings:Postgres.")]
    public static partial void LiveWorkersUncounted(ILogger logger, Exception exception);
}
