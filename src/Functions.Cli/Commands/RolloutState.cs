using Functions.Cli.Api;
using Functions.Contracts.Api;

namespace Functions.Cli.Commands;

/// <summary>What a rollout adds up to, counting only live workers (offline ones cannot apply anything).</summary>
internal static class RolloutState
{
    /// <summary>Every live worker applied the app's current generation (and there is at least one).</summary>
    public const string Complete = "complete";

    /// <summary>Some live worker has not applied it yet, and none failed.</summary>
    public const string Pending = "pending";

    /// <summary>No pending live worker is left, and at least one reported an error applying it.</summary>
    public const string Failed = "failed";

    /// <summary>No worker sent a heartbeat recently: nothing serves the application.</summary>
    public const string NoLiveWorkers = "no-live-workers";

    public static string Of(RolloutView rollout)
    {
        var live = rollout.Workers.Where(w => w.Online).ToList();
        if (live.Count == 0)
        {
            return NoLiveWorkers;
        }

        if (live.Any(w => w.Status == WorkerRollout.Pending))
        {
            return Pending;
        }

        return live.Any(w => w.Status == WorkerRollout.Failed) ? Failed : Complete;
    }
}
