using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Functions.Testing;
using Functions.Testing.Hosts;
using Functions.Worker.Sync;

namespace Functions.Worker.Tests;

/// <summary>
/// One app's failure stays inside that app, on a real control plane and worker. The broken app is one the control
/// plane cannot refuse: a volume whose host directory does not exist. Volumes name directories of each worker's own
/// machine, which the control plane cannot see (it only checks the path stays under the volumes root), so only the
/// worker finds out, when it applies the app: exactly the failures that must stay isolated.
/// </summary>
public sealed class IsolationTests(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    private const string NodeId = "worker-w1";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_broken_app_fails_alone_and_a_deploy_made_right_after_it_is_served_within_seconds()
    {
        var hello = await fixture.DigestOf("hello-wat");
        await fixture.DeployAsync("iso-a", new { route = "/iso-a", module = hello });

        await fixture.Platform.DeployAsync("iso-b", new { route = "/iso-b", module = hello, volumes = MissingVolume() });
        await fixture.Platform.DeployAsync("iso-c", new { route = "/iso-c", module = hello });

        await Until(async () => (await fixture.Worker.GetAsync(new Uri("/iso-c", UriKind.Relative))).StatusCode == HttpStatusCode.OK, Soon,
            "app iso-c, deployed right after the broken one, was not served");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Worker.GetAsync(new Uri("/iso-a", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Worker.GetAsync(new Uri("/iso-b", UriKind.Relative))).StatusCode);
        var broken = await UntilRolloutAsync("iso-b", "failed");
        Assert.Contains("does not exist", (string?)broken["error"], StringComparison.Ordinal);
        await UntilRolloutAsync("iso-a", "applied");
        await UntilRolloutAsync("iso-c", "applied");
        using var ready = await fixture.Management.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("1 app failed: iso-b", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var worker = (await fixture.Platform.WorkerNodesAsync()).Single(w => (string?)w!["nodeId"] == NodeId)!;
        Assert.Equal("ready", (string?)worker["state"]);
        Assert.Equal("iso-b", (string?)Assert.Single(worker["failedApps"]!.AsArray())!["app"]);

        await fixture.Platform.DeleteAppAsync("iso-b");
        await UntilReadyTextAsync(text => !text.Contains("failed", StringComparison.Ordinal), "the deleted broken app was still reported");
    }

    [Fact]
    public async Task An_app_that_fails_on_redeploy_keeps_serving_its_previous_release_until_fixed()
    {
        var hello = await fixture.DigestOf("hello-wat");
        await fixture.DeployAsync("iso-redeploy", new { route = "/iso-redeploy", module = hello });

        await fixture.DeployAsync("iso-redeploy",
            new { route = "/iso-redeploy", module = hello, volumes = MissingVolume() },
            new { route = "/iso-redeploy-two", module = hello });

        var failed = await UntilRolloutAsync("iso-redeploy", "failed");
        Assert.Contains("does not exist", (string?)failed["error"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Worker.GetAsync(new Uri("/iso-redeploy", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Worker.GetAsync(new Uri("/iso-redeploy-two", UriKind.Relative))).StatusCode);

        await fixture.DeployAsync("iso-redeploy",
            new { route = "/iso-redeploy", module = hello },
            new { route = "/iso-redeploy-two", module = hello });
        await UntilRolloutAsync("iso-redeploy", "applied");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Worker.GetAsync(new Uri("/iso-redeploy-two", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_worker_started_while_an_app_is_broken_becomes_ready_and_serves_the_healthy_apps()
    {
        var hello = await fixture.DigestOf("hello-wat");
        await fixture.DeployAsync("iso-fresh-ok", new { route = "/iso-fresh-ok", module = hello });
        await fixture.DeployAsync("iso-fresh-broken", new { route = "/iso-fresh-broken", module = hello, volumes = MissingVolume() });

        // StartWorkerAsync waits for /readyz: a worker that needed every app applied would never get there.
        var fresh = await fixture.Platform.StartWorkerAsync("iso-fresh");
        try
        {
            using var client = new HttpClient { BaseAddress = fresh.Address };
            using var management = new HttpClient { BaseAddress = fresh.Management };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/iso-fresh-ok", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/iso-fresh-broken", UriKind.Relative))).StatusCode);
            Assert.Contains("1 app failed: iso-fresh-broken", await management.GetStringAsync(new Uri("/readyz", UriKind.Relative)), StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Platform.StopWorkerAsync(fresh);
            await fixture.Platform.DeleteAppAsync("iso-fresh-broken");
        }
    }

    [Fact]
    public async Task A_sub_route_from_routes_that_collides_with_another_apps_route_fails_the_app_being_applied_not_the_other()
    {
        await fixture.DeployAsync("iso-coll-first", new { route = "/coll/a", module = await fixture.DigestOf("hello-wat") });
        try
        {
            // routes.wat's _routes declares /a and /b/... under its binding: /coll/a is iso-coll-first's.
            await fixture.Platform.DeployAsync("iso-coll-second", new { route = "/coll/...", module = await fixture.DigestOf("routes") });
        }
        catch (HttpRequestException refused) when (refused.Message.StartsWith('4'))
        {
            // A control plane that runs _routes at deploy refuses the collision before any worker sees it: fine too.
            Assert.Contains("/coll/a", refused.Message, StringComparison.Ordinal);
            return;
        }

        var failed = await UntilRolloutAsync("iso-coll-second", "failed");
        Assert.Contains("already served by app 'iso-coll-first'", (string?)failed["error"], StringComparison.Ordinal);
        await UntilRolloutAsync("iso-coll-first", "applied");
        using var first = await fixture.Worker.GetAsync(new Uri("/coll/a", UriKind.Relative));
        Assert.Contains("Hello from WAT", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Worker.GetAsync(new Uri("/coll/b/x", UriKind.Relative))).StatusCode);
        await fixture.Platform.DeleteAppAsync("iso-coll-second");
    }

    [Fact]
    public async Task A_failed_app_is_retried_on_the_periodic_check_and_served_once_its_cause_is_fixed()
    {
        // Its own platform: a periodic check every second (the shared one checks once a minute). That check finds the
        // generation unchanged (304) and retries the failed app from the desired state it already has.
        await using var platform = await TestPlatform.StartAsync("retry", workers: 1,
            workerSettings: new Dictionary<string, string> { ["Worker__PollInterval"] = "00:00:01" });
        using var worker = new HttpClient { BaseAddress = platform.Workers[0].Address };
        using var management = new HttpClient { BaseAddress = platform.Workers[0].Management };
        var directory = $"later-{Guid.NewGuid():N}";
        await platform.DeployAsync("iso-later", new
        {
            route = "/iso-later", module = await platform.UploadAsync(Fixtures.Bytes("hello-wat")),
            volumes = new Dictionary<string, string> { ["/data"] = directory },
        });
        await Until(async () => (await management.GetStringAsync(new Uri("/readyz", UriKind.Relative))).Contains("1 app failed: iso-later", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the app with a missing volume directory was not reported failed", platform.Workers[0]);

        Directory.CreateDirectory(Path.Combine(platform.VolumesRoot, directory));

        await Until(async () => (await worker.GetAsync(new Uri("/iso-later", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(15), "the app was not retried once its volume directory existed", platform.Workers[0]);
        Assert.DoesNotContain("failed", await management.GetStringAsync(new Uri("/readyz", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploying_one_app_keeps_the_pools_of_the_others_as_they_were()
    {
        var hello = await fixture.DigestOf("hello-wat");
        await fixture.DeployAsync("iso-warm", new { route = "/iso-warm", module = hello });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Worker.GetAsync(new Uri("/iso-warm", UriKind.Relative))).StatusCode);
        }

        await fixture.DeployAsync("iso-other", new { route = "/iso-other", module = hello });

        // A pool counts the invocations it served (hits + misses): a rebuilt pool would start again from 0.
        var metrics = await fixture.Management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.True(PoolMetric(metrics, "functions_pool_hits", "/iso-warm") + PoolMetric(metrics, "functions_pool_misses", "/iso-warm") >= 3,
            $"the pool of /iso-warm was rebuilt by another app's deploy:\n{metrics}");
    }

    [Fact]
    public async Task Three_hundred_routes_in_six_apps_converge_on_one_worker_and_all_answer()
    {
        var hello = await fixture.DigestOf("hello-wat");
        var started = DateTime.UtcNow;
        long generation = 0;
        for (var app = 0; app < 6; app++)
        {
            var routes = Enumerable.Range(0, 50).Select(r => (object)new { route = $"/many{app}/r{r}", module = hello }).ToArray();
            generation = await fixture.Platform.DeployAsync($"iso-many{app}", routes);
        }

        await fixture.WaitForGenerationAsync(generation);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = fixture.Worker.BaseAddress };
        var statuses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async i =>
        {
            using var response = await client.GetAsync(new Uri($"/many{i / 50}/r{i % 50}", UriKind.Relative));
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var elapsed = DateTime.UtcNow - started;
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"300 routes took {elapsed.TotalSeconds:F1} s to converge and answer");
    }

    [Fact]
    public async Task The_desired_state_pull_answers_not_modified_for_the_etag_it_gave_until_the_generation_moves()
    {
        using var http = new HttpClient { BaseAddress = fixture.Platform.ControlPlane.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Platform.AdminKey);
        var client = new ControlPlaneClient(http);

        var first = await client.GetDesiredStateAsync(null, CancellationToken.None);
        var unchanged = await client.GetDesiredStateAsync(first.ETag, CancellationToken.None);
        await fixture.Platform.DeployAsync("iso-etag", new { route = "/iso-etag", module = await fixture.DigestOf("hello-wat") });
        var changed = await client.GetDesiredStateAsync(first.ETag, CancellationToken.None);

        Assert.Equal($"\"g{first.State!.Generation}\"", first.ETag);
        Assert.True(unchanged.NotModified);
        Assert.False(changed.NotModified);
        Assert.True(changed.State!.Generation > first.State.Generation);
        Assert.Contains(changed.State.Routes, r => r.Route == "/iso-etag");
        Assert.Equal($"\"g{changed.State.Generation}\"", changed.ETag);
    }

    /// <summary>A volume under the volumes root whose directory does not exist: accepted, then failed by the worker.</summary>
    private static Dictionary<string, string> MissingVolume() => new() { ["/data"] = $"missing-{Guid.NewGuid():N}" };

    private async Task<JsonObject> UntilRolloutAsync(string app, string status)
    {
        JsonObject? worker = null;
        await Until(async () =>
        {
            var rollout = await fixture.Platform.Admin.GetFromJsonAsync<JsonObject>(new Uri($"api/v1/apps/{app}/rollout", UriKind.Relative));
            worker = rollout!["workers"]!.AsArray().Single(w => (string?)w!["nodeId"] == NodeId)!.AsObject();
            return (string?)worker["status"] == status;
        }, TimeSpan.FromSeconds(15), $"the rollout of {app} did not become {status}");
        return worker!;
    }

    private async Task UntilReadyTextAsync(Func<string, bool> condition, string message) =>
        await Until(async () => condition(await fixture.Management.GetStringAsync(new Uri("/readyz", UriKind.Relative))), TimeSpan.FromSeconds(15), message);

    private static double PoolMetric(string metrics, string name, string route)
    {
        var prefix = $"{name}{{route=\"{route}\"}} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    private async Task Until(Func<Task<bool>> condition, TimeSpan within, string message, HostProcess? worker = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{message} within {within.TotalSeconds} s\n{(worker ?? fixture.Platform.Workers[0]).RecentOutput}");
            await Task.Delay(50);
        }
    }
}
