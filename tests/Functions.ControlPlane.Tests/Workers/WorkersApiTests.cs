using System.Net;
using System.Net.Http.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Internal;
using Functions.ControlPlane.Tests.Support;
using Functions.ControlPlane.Workers;
using Functions.Contracts;

namespace Functions.ControlPlane.Tests.Workers;

public sealed class WorkersApiTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Fact]
    public async Task A_heartbeat_records_the_worker_and_answers_the_current_generation()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var deployed = await app.DeployAsync("beat", new { routes = new[] { new { route = "/beat", module } } });

        var answer = await HeartbeatAsync(new WorkerReport("node-a", "http://10.0.0.1:8080", "1.2.3", deployed.Generation, null, null, DateTimeOffset.UnixEpoch));
        var workers = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers"))!;

        Assert.True(answer.Generation >= deployed.Generation);
        var worker = Assert.Single(workers.Workers, w => w.NodeId == "node-a");
        Assert.Equal(("http://10.0.0.1:8080", "1.2.3"), (worker.Address, worker.Version));
        Assert.Equal(deployed.Generation, worker.AppliedGeneration);
        Assert.True(DateTimeOffset.UtcNow - worker.LastHeartbeat < TimeSpan.FromMinutes(1), "the control plane's clock, not SentAt, stamps the heartbeat");
    }

    [Fact]
    public async Task The_rollout_shows_which_workers_applied_the_apps_generation_which_lag_and_which_failed()
    {
        var module = await app.UploadFixtureAsync("multi");
        var deployed = await app.DeployAsync("rolling", new { routes = new[] { new { route = "/rolling", module } } });
        var g = deployed.Generation;
        await HeartbeatAsync(new WorkerReport("roll-applied", "http://a", "1", g, null, null, DateTimeOffset.UtcNow));
        await HeartbeatAsync(new WorkerReport("roll-pending", "http://b", "1", g - 1, null, null, DateTimeOffset.UtcNow));
        await HeartbeatAsync(new WorkerReport("roll-failed", "http://c", "1", g - 1, g, "module failed to compile: out of memory", DateTimeOffset.UtcNow));

        var rollout = (await app.Admin().GetFromJsonAsync<RolloutView>("/api/v1/apps/rolling/rollout"))!;

        Assert.Equal((1, g), (rollout.Version, rollout.Generation));
        Assert.Equal("applied", rollout.Workers.Single(w => w.NodeId == "roll-applied").Status);
        Assert.Equal("pending", rollout.Workers.Single(w => w.NodeId == "roll-pending").Status);
        var failed = rollout.Workers.Single(w => w.NodeId == "roll-failed");
        Assert.Equal("failed", failed.Status);
        Assert.Equal("module failed to compile: out of memory", failed.Error);
        var states = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers"))!.Workers.ToDictionary(w => w.NodeId, w => w.State);
        Assert.Equal("failed", states["roll-failed"]);
        Assert.NotEqual("failed", states["roll-applied"]);
    }

    [Fact]
    public async Task An_app_a_worker_could_not_apply_shows_failed_in_its_rollout_and_no_other_apps()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var healthy = await app.DeployAsync("iso-healthy", new { routes = new[] { new { route = "/iso-healthy", module } } });
        var broken = await app.DeployAsync("iso-broken", new { routes = new[] { new { route = "/iso-broken", module } } });
        var g = Math.Max(healthy.Generation, broken.Generation);
        await HeartbeatAsync(new WorkerReport("iso-worker", "http://d", "1", g, null, null, DateTimeOffset.UtcNow,
            [new AppFailure("iso-broken", broken.Version, "the volume /data maps the host directory /srv/x, which does not exist")]));

        var brokenRollout = (await app.Admin().GetFromJsonAsync<RolloutView>("/api/v1/apps/iso-broken/rollout"))!;
        var healthyRollout = (await app.Admin().GetFromJsonAsync<RolloutView>("/api/v1/apps/iso-healthy/rollout"))!;
        var worker = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers"))!.Workers.Single(w => w.NodeId == "iso-worker");

        var failed = brokenRollout.Workers.Single(w => w.NodeId == "iso-worker");
        Assert.Equal(("failed", "the volume /data maps the host directory /srv/x, which does not exist"), (failed.Status, failed.Error));
        Assert.Equal(1, brokenRollout.Failed);
        var applied = healthyRollout.Workers.Single(w => w.NodeId == "iso-worker");
        Assert.Equal(("applied", null), (applied.Status, applied.Error));
        Assert.Equal("ready", worker.State);
        Assert.Equal([new AppFailure("iso-broken", broken.Version, failed.Error!)], worker.FailedApps);
    }

    [Fact]
    public async Task A_heartbeat_without_failed_apps_from_an_older_worker_clears_the_ones_reported_before()
    {
        await HeartbeatAsync(new WorkerReport("iso-older", "http://e", "1", 0, null, null, DateTimeOffset.UtcNow,
            [new AppFailure("gone", 1, "broken")]));
        using var older = await app.Worker().PostAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative), new StringContent(
            """{"nodeId": "iso-older", "address": "http://e", "version": "0.9", "appliedGeneration": 0, "sentAt": "2026-01-01T00:00:00Z"}""",
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, older.StatusCode);
        var worker = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers"))!.Workers.Single(w => w.NodeId == "iso-older");
        Assert.Empty(worker.FailedApps);
        Assert.Equal("0.9", worker.Version);
    }

    [Fact]
    public async Task The_rollout_of_an_unknown_app_answers_404()
    {
        using var response = await app.Admin().GetAsync(new Uri("/api/v1/apps/nobody/rollout", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"nodeId": "", "address": "http://a", "version": "1", "appliedGeneration": 0}""", "nodeId")]
    [InlineData("""{"nodeId": "n", "version": "1", "appliedGeneration": 0}""", "address")]
    [InlineData("""{"nodeId": "n", "address": "http://a", "version": "1", "appliedGeneration": -1}""", "appliedGeneration")]
    [InlineData("""{"nodeId": "n", "address": 5}""", "$.address")]
    [InlineData("""{"nodeId": "../../etc", "address": "http://a", "version": "1", "appliedGeneration": 0}""", "nodeId")]
    [InlineData("""{"nodeId": "n x", "address": "http://a", "version": "1", "appliedGeneration": 0}""", "nodeId")]
    [InlineData("""{"nodeId": "n", "address": "http://a", "version": "1", "appliedGeneration": 0, "failedApps": [{"app": "NOT AN APP", "release": 1, "error": "x"}]}""", "failedApps")]
    public async Task A_malformed_heartbeat_answers_400_naming_the_field_and_records_nothing(string body, string field)
    {
        var before = await app.SnapshotAsync();

        using var response = await app.Worker().PostAsync(
            new Uri("/internal/v1/workers/heartbeat", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    public static TheoryData<string, string> OversizedFields => new()
    {
        { "nodeId", new string('n', 101) },
        { "address", "http://" + new string('a', 2048) },
        { "version", new string('1', 129) },
    };

    [Theory]
    [MemberData(nameof(OversizedFields))]
    public async Task A_heartbeat_with_an_oversized_field_answers_400_naming_it_and_records_nothing(string field, string value)
    {
        var report = new Dictionary<string, object?>
        {
            ["nodeId"] = "big-fields", ["address"] = "http://a", ["version"] = "1", ["appliedGeneration"] = 0,
            ["sentAt"] = DateTimeOffset.UtcNow,
        };
        report[field] = value;
        var before = await app.SnapshotAsync();

        using var response = await app.Worker().PostAsJsonAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative), report);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Long_error_texts_are_stored_cut_to_their_bound_so_the_node_keeps_reporting()
    {
        var error = new string('e', 100_000);

        await HeartbeatAsync(new WorkerReport("long-error", "http://f", "1", 0, 1, error, DateTimeOffset.UtcNow,
            [new AppFailure("long-app", 1, error)]));

        var worker = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers?pageSize=100"))!.Workers.Single(w => w.NodeId == "long-error");
        Assert.Equal(WorkerReportRules.MaxErrorLength, worker.LastError!.Length);
        Assert.EndsWith("…", worker.LastError, StringComparison.Ordinal);
        Assert.Equal(WorkerReportRules.MaxErrorLength, Assert.Single(worker.FailedApps).Error.Length);
    }

    private async Task<HeartbeatResponse> HeartbeatAsync(WorkerReport report)
    {
        using var response = await app.Worker().PostAsJsonAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative), report);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<HeartbeatResponse>())!;
    }
}
