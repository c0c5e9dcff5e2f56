using Functions.ControlPlane.Apps;
using Functions.Data;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>Where one worker stands with one app, from its heartbeat: the rule behind <c>GET /apps/{name}/rollout</c>.</summary>
public sealed class RolloutStatusTests
{
    [Fact]
    public void A_worker_at_the_apps_generation_with_no_failure_for_it_has_applied_it() =>
        Assert.Equal(("applied", null), RolloutStatus.Of(Worker(applied: 7), "shop", release: 3, generation: 7));

    [Fact]
    public void A_worker_behind_the_apps_generation_is_pending() =>
        Assert.Equal(("pending", null), RolloutStatus.Of(Worker(applied: 6), "shop", release: 3, generation: 7));

    [Fact]
    public void A_worker_reporting_the_app_failed_at_its_active_release_shows_that_apps_error() =>
        Assert.Equal(("failed", "start section trapped"),
            RolloutStatus.Of(Worker(applied: 9, new WorkerAppFailure("shop", 3, "start section trapped")), "shop", release: 3, generation: 7));

    [Fact]
    public void Another_apps_failure_never_marks_this_app_failed() =>
        Assert.Equal(("applied", null),
            RolloutStatus.Of(Worker(applied: 9, new WorkerAppFailure("blog", 3, "start section trapped")), "shop", release: 3, generation: 7));

    [Fact]
    public void A_failure_of_another_release_of_the_app_is_not_this_releases_failure() =>
        Assert.Equal(("applied", null),
            RolloutStatus.Of(Worker(applied: 9, new WorkerAppFailure("shop", 2, "old")), "shop", release: 3, generation: 7));

    [Fact]
    public void A_worker_that_could_not_process_the_generation_at_all_shows_its_error() =>
        Assert.Equal(("failed", "module download failed"),
            RolloutStatus.Of(Worker(applied: 6, failedGeneration: 7, lastError: "module download failed"), "shop", release: 3, generation: 7));

    private static WorkerNode Worker(long applied, params WorkerAppFailure[] failures) => Worker(applied, null, null, failures);

    private static WorkerNode Worker(long applied, long? failedGeneration, string? lastError, params WorkerAppFailure[] failures) => new()
    {
        NodeId = "w1",
        Address = "http://w1",
        Version = "1",
        FirstSeen = DateTimeOffset.UnixEpoch,
        LastHeartbeat = DateTimeOffset.UnixEpoch,
        AppliedGeneration = applied,
        FailedGeneration = failedGeneration,
        LastError = lastError,
        FailedApps = failures,
    };
}
