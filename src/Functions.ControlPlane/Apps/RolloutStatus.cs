using Functions.Data;

namespace Functions.ControlPlane.Apps;

/// <summary>Where one worker stands with one app's active release, from the worker's last heartbeat alone.</summary>
internal static class RolloutStatus
{
    public const string Applied = WorkerRollout.Applied;
    public const string Pending = WorkerRollout.Pending;
    public const string Failed = WorkerRollout.Failed;

    /// <summary>
    /// <c>failed</c> with the app's error when the worker reports this app failed at <paramref name="release"/> (it
    /// keeps serving the app's last good release, or nothing); <c>applied</c> when it processed
    /// <paramref name="generation"/> or later otherwise; <c>failed</c> with the worker's error when it could not process
    /// such a generation at all; <c>pending</c> while it has not got there. Another app's failure never counts.
    /// </summary>
    public static (string Status, string? Error) Of(WorkerNode worker, string app, int release, long generation)
    {
        if (worker.FailedApps.FirstOrDefault(f => f.App == app && f.Release == release) is { } failure)
        {
            return (Failed, failure.Error);
        }

        if (worker.AppliedGeneration >= generation)
        {
            return (Applied, null);
        }

        return worker.FailedGeneration >= generation ? (Failed, worker.LastError) : (Pending, null);
    }
}
