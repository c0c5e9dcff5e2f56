using Functions.ControlPlane.Hosting;
using Functions.Data;

namespace Functions.ControlPlane.Workers;

/// <summary>
/// What a worker's last heartbeat says about it now. Apps it could not apply do not change its state: it serves every
/// other app (and is ready), and lists those apps in <see cref="WorkerView.FailedApps"/>; <c>failed</c> is kept for a
/// worker that could not process a newer generation at all.
/// </summary>
internal static class WorkerStates
{
    public const string Offline = "offline";
    public const string Failed = "failed";
    public const string Syncing = "syncing";
    public const string Ready = "ready";

    public static bool IsOnline(WorkerNode worker, DateTimeOffset now, ControlPlaneOptions options) =>
        now - worker.LastHeartbeat <= options.WorkerStaleAfter;

    public static string Of(WorkerNode worker, long generation, DateTimeOffset now, ControlPlaneOptions options) =>
        !IsOnline(worker, now, options) ? Offline
        : worker.FailedGeneration > worker.AppliedGeneration ? Failed
        : worker.AppliedGeneration < generation ? Syncing
        : Ready;
}
