using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Files;
using Functions.ControlPlane.Tests.Support;
using Functions.Contracts;
using static Functions.ControlPlane.Tests.Files.Archives;

namespace Functions.ControlPlane.Tests.Files;

public sealed class FilesDeployTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Fact]
    public async Task A_deployed_route_carries_its_files_to_the_desired_state_and_the_views()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var site = await UploadAsync(Tar(Member.File("index.html", "site")));
        var assets = await UploadAsync(Tar(Member.File("a.css", "assets")));

        var activation = await app.DeployAsync("files-carried", Body("/carried", module,
            new Dictionary<string, string> { ["/"] = site[7..].ToUpperInvariant() }, new Dictionary<string, string>(), new Dictionary<string, string> { ["/static"] = assets }));

        var route = await RouteAsync("/carried");
        Assert.Equal([new FileMount("/", site)], route.Files);
        route = await RouteAsync("/carried/assets");
        Assert.Equal([new FileMount("/static", assets)], route.Files);
        var view = (await app.Admin().GetFromJsonAsync<AppView>("/api/v1/apps/files-carried"))!;
        Assert.Equal(new Dictionary<string, string> { ["/"] = site }, view.ActiveRelease!.Routes[0].Files);
        var release = (await app.Admin().GetFromJsonAsync<ReleaseView>($"/api/v1/apps/files-carried/releases/{activation.Version}"))!;
        Assert.Equal(new Dictionary<string, string> { ["/static"] = assets }, release.Routes[2].Files);
        Assert.Empty(release.Routes[1].Files);
    }

    [Fact]
    public async Task Rollback_brings_the_old_releases_files_back_and_a_mounted_bundle_cannot_be_deleted()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var v1Files = await UploadAsync(Tar(Member.File("v1.html", "one")));
        var v2Files = await UploadAsync(Tar(Member.File("v2.html", "two")));
        var first = await app.DeployAsync("files-rollback", Body("/rb", module, new Dictionary<string, string> { ["/site"] = v1Files }));
        await app.DeployAsync("files-rollback", Body("/rb", module, new Dictionary<string, string> { ["/site"] = v2Files }));
        Assert.Equal([new FileMount("/site", v2Files)], (await RouteAsync("/rb")).Files);

        // Release 1 is no longer active, but a rollback would need its bundle.
        using var refused = await app.Admin().DeleteAsync(new Uri($"/api/v1/files/{v1Files}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var detail = await refused.Content.ReadAsStringAsync();
        Assert.Contains("files-rollback", detail, StringComparison.Ordinal);
        Assert.Contains("release 1", detail, StringComparison.Ordinal);
        using var active = await app.Admin().DeleteAsync(new Uri($"/api/v1/files/{v2Files}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, active.StatusCode);
        Assert.Contains("release 2 (active)", await active.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var rollback = await app.Admin().PostAsJsonAsync(
            new Uri("/api/v1/apps/files-rollback/rollback", UriKind.Relative), new { version = first.Version });

        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal([new FileMount("/site", v1Files)], (await RouteAsync("/rb")).Files);

        using var deleteApp = await app.Admin().DeleteAsync(new Uri("/api/v1/apps/files-rollback", UriKind.Relative));
        using var nowFree = await app.Admin().DeleteAsync(new Uri($"/api/v1/files/{v1Files}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, nowFree.StatusCode);
    }

    [Fact]
    public async Task An_unknown_or_malformed_bundle_digest_answers_400_under_the_guest_path_and_writes_nothing()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var before = await app.SnapshotAsync();

        var errors = await RefusedAsync("files-unknown", Body("/unknown", module,
            new Dictionary<string, string> { ["/a"] = "sha256:" + new string('a', 64), ["/b"] = "not-a-digest" }));

        Assert.Contains("POST /api/v1/files", errors.GetProperty("routes[0].files./a")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("digest", errors.GetProperty("routes[0].files./b")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Theory]
    [InlineData("/", "/static")]
    [InlineData("/data/www", "/data")]
    [InlineData("/site/", "/other")]
    [InlineData("site", "/other")]
    [InlineData("/a/../b", "/other")]
    public async Task Nested_or_unnormalised_guest_paths_answer_400(string first, string second)
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var bundle = await UploadAsync(Tar(Member.File("n.txt", "n")));
        var before = await app.SnapshotAsync();

        var errors = await RefusedAsync("files-nested", Body("/nested", module, new Dictionary<string, string> { [first] = bundle, [second] = bundle }));

        Assert.Contains(errors.EnumerateObject(), e => e.Name.StartsWith("routes[0].files.", StringComparison.Ordinal));
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_files_mount_may_not_nest_with_a_volume_of_the_same_route()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var bundle = await UploadAsync(Tar(Member.File("v.txt", "v")));
        var body = new
        {
            routes = new[]
            {
                new { route = "/withvolume", module, files = new Dictionary<string, string> { ["/"] = bundle },
                      volumes = new Dictionary<string, string> { ["/data"] = "data" } },
            },
        };

        var errors = await RefusedAsync("files-volume", body);

        Assert.Contains("volume at '/data'", errors.GetProperty("routes[0].files./")[0].GetString(), StringComparison.Ordinal);
    }

    private static object Body(string route, string module, params Dictionary<string, string>[] files) => new
    {
        routes = files.Select((f, i) => new
        {
            route = i switch { 0 => route, 1 => route + "/plain", _ => route + "/assets" },
            module,
            files = i == 1 ? null : f,
        }).ToArray(),
    };

    private async Task<RouteBinding> RouteAsync(string route)
    {
        var state = (await app.Worker().GetFromJsonAsync<DesiredState>("/internal/v1/desired-state"))!;
        return state.Routes.Single(r => r.Route == route);
    }

    private async Task<JsonElement> RefusedAsync(string name, object body)
    {
        using var response = await app.Admin().PutAsJsonAsync(new Uri($"/api/v1/apps/{name}", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("errors").Clone();
    }

    private async Task<string> UploadAsync(byte[] archive)
    {
        using var response = await app.Admin().PostAsync(new Uri("/api/v1/files", UriKind.Relative), Content(archive));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<FileBundleView>())!.Digest;
    }
}
