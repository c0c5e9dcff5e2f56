using System.Net.Http.Json;
using System.Text.Json;
using Functions.ControlPlane.Tests.Support;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>
/// The whole problem document (status, title, detail, extensions) that a refused deploy, rollback or deletion
/// answers with, so that where those answers are built can change without the API noticing.
/// </summary>
public sealed class DeploymentRefusalTests(ValidationApp app) : IClassFixture<ValidationApp>
{
    [Fact]
    public async Task A_deploy_claiming_a_route_another_app_serves_names_each_route_and_its_owner()
    {
        using var response = await app.Admin().PutAsJsonAsync(
            new Uri("/api/v1/apps/claimer", UriKind.Relative),
            new { routes = new[] { new { route = "/taken", module = app.Hello }, new { route = "/free", module = app.Hello } } });

        var problem = await ProblemAsync(response);

        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Equal("Route already served by another application", problem.GetProperty("title").GetString());
        Assert.Equal(
            "Route '/taken' is served by application 'owner'. Routes are unique across active applications: remove the " +
            "route from that application (deploy it without the route, or delete it), or choose another route.",
            problem.GetProperty("detail").GetString());
        Assert.Equal("""[{"route":"/taken","app":"owner"}]""", problem.GetProperty("conflicts").GetRawText());
    }

    [Fact]
    public async Task A_rollback_of_an_unknown_app_answers_404_saying_how_to_list_and_deploy_apps()
    {
        using var response = await app.Admin().PostAsJsonAsync(
            new Uri("/api/v1/apps/nobody-here/rollback", UriKind.Relative), new { version = 1 });

        var problem = await ProblemAsync(response);

        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("Application not found", problem.GetProperty("title").GetString());
        Assert.Equal(
            "There is no application named 'nobody-here'. List them with GET /api/v1/apps; deploy one with PUT /api/v1/apps/nobody-here.",
            problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_rollback_to_a_release_that_does_not_exist_answers_404_with_the_range_there_is()
    {
        await app.DeployAsync("two-releases", Body("/two-releases", app.Hello));
        await app.DeployAsync("two-releases", Body("/two-releases", app.Hello));

        using var response = await app.Admin().PostAsJsonAsync(
            new Uri("/api/v1/apps/two-releases/rollback", UriKind.Relative), new { version = 7 });

        var problem = await ProblemAsync(response);

        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("Release not found", problem.GetProperty("title").GetString());
        Assert.Equal(
            "Application 'two-releases' has no release 7; its releases are 1 to 2 (GET /api/v1/apps/two-releases/releases).",
            problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_rollback_to_a_release_whose_module_was_deleted_answers_409_naming_the_module_and_changes_nothing()
    {
        var old = await app.UploadFixtureAsync("exit");
        await app.DeployAsync("lost-module", Body("/lost-module", old));
        await app.DeployAsync("lost-module", Body("/lost-module", app.Hello));
        using (var deleted = await app.Admin().DeleteAsync(new Uri($"/api/v1/modules/{old}", UriKind.Relative)))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }

        var before = await app.SnapshotAsync();
        using var response = await app.Admin().PostAsJsonAsync(
            new Uri("/api/v1/apps/lost-module/rollback", UriKind.Relative), new { version = 1 });

        var problem = await ProblemAsync(response);

        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Equal("Modules of the release were deleted", problem.GetProperty("title").GetString());
        Assert.Equal(
            $"Release 1 of 'lost-module' uses modules that have since been deleted: {old}. Upload the same .wasm files " +
            "again (their digests will match), then retry the rollback.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Deleting_an_unknown_app_answers_404_saying_how_to_list_and_deploy_apps()
    {
        using var response = await app.Admin().DeleteAsync(new Uri("/api/v1/apps/nobody-there", UriKind.Relative));

        var problem = await ProblemAsync(response);

        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("Application not found", problem.GetProperty("title").GetString());
        Assert.Equal(
            "There is no application named 'nobody-there'. List them with GET /api/v1/apps; deploy one with PUT /api/v1/apps/nobody-there.",
            problem.GetProperty("detail").GetString());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static object Body(string route, string module) => new { routes = new[] { new { route, module } } };
}
