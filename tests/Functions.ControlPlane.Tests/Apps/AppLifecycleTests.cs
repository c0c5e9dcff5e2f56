using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Common;
using Functions.ControlPlane.Tests.Support;
using Functions.Contracts;

namespace Functions.ControlPlane.Tests.Apps;

public sealed class AppLifecycleTests(ValidationApp app) : IClassFixture<ValidationApp>
{
    [Fact]
    public async Task The_first_deploy_creates_release_1_and_each_next_one_the_next_version_at_a_higher_generation()
    {
        var first = await app.DeployAsync("versions", Body("/versions", app.Hello));
        var second = await app.DeployAsync("versions", Body("/versions", app.Hello));

        Assert.Equal(new Activation("versions", 1, first.Generation), first);
        Assert.Equal(2, second.Version);
        Assert.True(second.Generation > first.Generation);
    }

    [Fact]
    public async Task A_deploy_answers_201_with_the_release_location()
    {
        using var response = await app.Admin().PutAsJsonAsync(new Uri("/api/v1/apps/located", UriKind.Relative), Body("/located", app.Hello));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/apps/located/releases/1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_app_reads_back_with_its_active_release_and_routes_with_defaults_filled_in()
    {
        var deployed = await app.DeployAsync("readback", new
        {
            routes = new object[]
            {
                new { route = "/readback/...", module = app.Hello, environment = new Dictionary<string, string> { ["GREETING"] = "hi" }, argv = "${SCRIPT_NAME} ${ARGS}" },
                new { route = "/readback-run", module = app.RunAndAdd, entrypoint = "run", limits = new { timeoutMs = 5000 } },
            },
        });

        var view = (await app.Admin().GetFromJsonAsync<AppView>("/api/v1/apps/readback"))!;

        Assert.Equal(deployed.Generation, view.Generation);
        var release = view.ActiveRelease!;
        Assert.Equal(1, release.Version);
        Assert.True(release.Active);
        Assert.Equal(["/readback/...", "/readback-run"], release.Routes.Select(r => r.Route));
        var first = release.Routes[0];
        Assert.Equal("_start", first.Entrypoint);
        Assert.Equal("hi", first.Environment["GREETING"]);
        Assert.Equal("${SCRIPT_NAME} ${ARGS}", first.Argv);
        Assert.Equal(RouteLimits.Default, first.Limits);
        Assert.Equal(new RouteLimits(5000, RouteLimits.DefaultMemoryMb, RouteLimits.DefaultMaxBodyBytes, RouteLimits.DefaultMaxConcurrency), release.Routes[1].Limits);
        Assert.Equal("run", release.Routes[1].Entrypoint);
    }

    [Fact]
    public async Task Volumes_are_stored_resolved_under_the_root_read_only_unless_marked_writable()
    {
        await app.DeployAsync("volumes", new
        {
            routes = new[]
            {
                new
                {
                    route = "/volumes",
                    module = app.Hello,
                    volumes = new Dictionary<string, object> { ["/data"] = "site", ["/scratch"] = new { path = "site/../site", writable = true } },
                },
            },
        });

        var route = (await app.Admin().GetFromJsonAsync<AppView>("/api/v1/apps/volumes"))!.ActiveRelease!.Routes[0];

        var site = Path.Combine(app.VolumesRoot, "site");
        Assert.Contains(new VolumeMount("/data", site, false), route.Volumes);
        Assert.Contains(new VolumeMount("/scratch", site, true), route.Volumes);
    }

    [Fact]
    public async Task The_release_history_lists_every_release_newest_first_and_marks_the_active_one()
    {
        await app.DeployAsync("history", Body("/history", app.Hello));
        await app.DeployAsync("history", Body("/history", app.RunAndAdd, "run"));

        var page = (await app.Admin().GetFromJsonAsync<PaginatedItems<ReleaseSummary>>("/api/v1/apps/history/releases"))!;
        var one = (await app.Admin().GetFromJsonAsync<ReleaseView>("/api/v1/apps/history/releases/1"))!;

        Assert.Equal([2, 1], page.Items.Select(r => r.Version));
        Assert.Equal([true, false], page.Items.Select(r => r.Active));
        Assert.False(one.Active);
        Assert.Equal(app.Hello, one.Routes[0].Module);
    }

    [Fact]
    public async Task A_rollback_activates_the_earlier_release_at_a_new_generation()
    {
        var v1 = await app.DeployAsync("rollback", Body("/rollback", app.Hello));
        var v2 = await app.DeployAsync("rollback", Body("/rollback", app.RunAndAdd, "run"));

        using var response = await app.Admin().PostAsJsonAsync(new Uri("/api/v1/apps/rollback/rollback", UriKind.Relative), new { version = 1 });
        var rolledBack = (await response.Content.ReadFromJsonAsync<Activation>())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, rolledBack.Version);
        Assert.True(rolledBack.Generation > v2.Generation && v2.Generation > v1.Generation);
        var view = (await app.Admin().GetFromJsonAsync<AppView>("/api/v1/apps/rollback"))!;
        Assert.Equal(1, view.ActiveRelease!.Version);
        Assert.Equal(app.Hello, view.ActiveRelease.Routes[0].Module);
    }

    [Fact]
    public async Task A_rollback_to_a_release_whose_volume_now_escapes_the_volumes_root_is_refused_and_changes_nothing()
    {
        var data = Path.Combine(app.VolumesRoot, "rollback-data");
        Directory.CreateDirectory(data);
        await app.DeployAsync("rollback-volumes", new
        {
            routes = new[] { new { route = "/rollback-volumes", module = app.Hello, volumes = new Dictionary<string, string> { ["/data"] = "rollback-data" } } },
        });
        await app.DeployAsync("rollback-volumes", Body("/rollback-volumes", app.Hello));

        // Since release 1, its directory became a symlink out of the root.
        Directory.Delete(data);
        File.CreateSymbolicLink(data, "/etc");
        var before = await app.SnapshotAsync();
        using var response = await app.Admin().PostAsJsonAsync(new Uri("/api/v1/apps/rollback-volumes/rollback", UriKind.Relative), new { version = 1 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("Volumes of the release are no longer allowed", problem, StringComparison.Ordinal);
        Assert.Contains("now resolves to '/etc', outside the volumes root", problem, StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory]
    [InlineData("nosuch", "{\"version\": 1}", 404, "no application named 'nosuch'")]
    [InlineData("rollback-missing", "{\"version\": 9}", 404, "has no release 9")]
    [InlineData("rollback-missing", "{\"version\": 0}", 400, "positive number")]
    [InlineData("rollback-missing", "{}", 400, "positive number")]
    public async Task A_rollback_to_nothing_answers_a_problem_and_changes_nothing(string name, string body, int status, string expected)
    {
        await app.DeployAsync("rollback-missing", Body("/rollback-missing", app.Hello));
        var before = await app.SnapshotAsync();

        using var response = await app.Admin().PostAsync(
            new Uri($"/api/v1/apps/{name}/rollback", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_rollback_that_would_take_a_route_another_app_now_serves_answers_409_and_changes_nothing()
    {
        await app.DeployAsync("yielder", Body("/contested", app.Hello));
        await app.DeployAsync("yielder", Body("/yielded", app.Hello));
        await app.DeployAsync("taker", Body("/contested", app.Hello));
        var before = await app.SnapshotAsync();

        using var response = await app.Admin().PostAsJsonAsync(new Uri("/api/v1/apps/yielder/rollback", UriKind.Relative), new { version = 1 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("'/contested' is served by application 'taker'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Deleting_an_app_removes_it_frees_its_routes_and_bumps_the_generation()
    {
        var deployed = await app.DeployAsync("doomed", Body("/doomed", app.Hello));

        using var deleted = await app.Admin().DeleteAsync(new Uri("/api/v1/apps/doomed", UriKind.Relative));
        using var gone = await app.Admin().GetAsync(new Uri("/api/v1/apps/doomed", UriKind.Relative));
        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;
        var successor = await app.DeployAsync("successor", Body("/doomed", app.Hello));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.True(state.Generation > deployed.Generation);
        Assert.DoesNotContain(state.Routes, r => r.App == "doomed");
        Assert.True(successor.Generation > state.Generation);
    }

    [Fact]
    public async Task Deleting_an_unknown_app_answers_404()
    {
        using var response = await app.Admin().DeleteAsync(new Uri("/api/v1/apps/never-was", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_desired_state_holds_every_active_route_with_its_settings_and_module_exports()
    {
        var deployed = await app.DeployAsync("desired", new
        {
            routes = new[] { new { route = "/desired/...", module = app.RunAndAdd, entrypoint = "run", limits = new { memoryMb = 64 } } },
        });

        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;

        Assert.True(state.Generation >= deployed.Generation);
        var route = Assert.Single(state.Routes, r => r.App == "desired");
        Assert.Equal(new[] { "/desired/...", app.RunAndAdd, "run" }, new[] { route.Route, route.ModuleDigest, route.Entrypoint });
        Assert.Equal(1, route.Release);
        Assert.Equal(64, route.Limits.MemoryMb);
        Assert.Equal(["run", "add"], route.ModuleExports);
    }

    [Fact]
    public async Task The_desired_state_answers_304_to_a_worker_that_already_has_the_current_generation()
    {
        await app.DeployAsync("etag", Body("/etag", app.Hello));
        using var first = await app.Worker().GetAsync(new Uri("/internal/v1/desired-state", UriKind.Relative));

        using var again = new HttpRequestMessage(HttpMethod.Get, "/internal/v1/desired-state");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await app.Worker().SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task The_app_list_is_paged_by_name()
    {
        await app.DeployAsync("list-a", Body("/list-a", app.Hello));
        await app.DeployAsync("list-b", Body("/list-b", app.Hello));

        var page = (await app.Admin().GetFromJsonAsync<PaginatedItems<AppSummary>>("/api/v1/apps?pageSize=100"))!;

        var names = page.Items.Select(a => a.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains("list-a", names);
        Assert.Equal(page.Count, names.Count);
    }

    [Fact]
    public async Task Concurrent_deploys_of_one_app_get_distinct_consecutive_versions_or_409_and_never_lose_a_release()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await app.Admin().PutAsJsonAsync(
                new Uri("/api/v1/apps/racy", UriKind.Relative), Body($"/racy-{i}", app.Hello));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var created = attempts.Where(a => a.StatusCode == HttpStatusCode.Created)
            .Select(a => JsonSerializer.Deserialize<Activation>(a.Body, JsonSerializerOptions.Web)!).ToList();
        Assert.All(attempts, a => Assert.True(
            a.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{a.StatusCode}: {a.Body}"));
        Assert.Equal(Enumerable.Range(1, created.Count), created.Select(c => c.Version).Order());
        Assert.Equal(created.Count, created.Select(c => c.Generation).Distinct().Count());
        var history = (await app.Admin().GetFromJsonAsync<PaginatedItems<ReleaseSummary>>("/api/v1/apps/racy/releases?pageSize=100"))!;
        Assert.Equal(created.Count, history.Count);
        var active = (await app.Admin().GetFromJsonAsync<AppView>("/api/v1/apps/racy"))!;
        Assert.Equal(created.MaxBy(c => c.Generation)!.Version, active.ActiveRelease!.Version);
    }

    [Fact]
    public async Task Concurrent_deploys_of_two_apps_claiming_one_route_leave_exactly_one_owner()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            using var response = await app.Admin().PutAsJsonAsync(
                new Uri($"/api/v1/apps/claimant-{i}", UriKind.Relative), Body("/claimed", app.Hello));
            return response.StatusCode;
        }));

        Assert.Equal(1, attempts.Count(s => s == HttpStatusCode.Created));
        Assert.All(attempts.Where(s => s != HttpStatusCode.Created), s => Assert.Equal(HttpStatusCode.Conflict, s));
        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;
        Assert.Single(state.Routes, r => r.Route == "/claimed");
    }

    private static object Body(string route, string module, string? entrypoint = null) =>
        new { routes = new[] { new { route, module, entrypoint } } };
}
