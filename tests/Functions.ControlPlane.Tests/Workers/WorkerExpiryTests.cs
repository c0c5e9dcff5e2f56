using System.Net;
using System.Net.Http.Json;
using Functions.Contracts.Api;
using Functions.ControlPlane.Apps;
using Functions.ControlPlane.Tests.Support;
using Functions.ControlPlane.Workers;
using Functions.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Functions.ControlPlane.Tests.Workers;

/// <summary>A control plane on a clock the tests move, recording at most three worker nodes.</summary>
public sealed class ExpiringWorkersApp : ControlPlaneApp
{
    public const int MaxWorkers = 3;

    public ExpiringWorkersApp()
    {
        Settings["Functions:MaxWorkers"] = MaxWorkers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Functions:WorkerExpireAfter"] = "01:00:00";
        Settings["Functions:WorkerSweepInterval"] = "00:01:00";
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
}

public sealed class WorkerExpiryTests(ExpiringWorkersApp app) : IClassFixture<ExpiringWorkersApp>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM worker_nodes", connection);
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_node_past_the_maximum_is_refused_with_409_while_known_nodes_keep_reporting()
    {
        for (var i = 0; i < ExpiringWorkersApp.MaxWorkers; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await BeatAsync($"cap-{i}", 0));
        }

        using var refused = await PostAsync("cap-new", 0);
        var known = await BeatAsync("cap-0", 1);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Functions:MaxWorkers", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, known);
        var list = await ListAsync();
        Assert.Equal(ExpiringWorkersApp.MaxWorkers, list.Count);
        Assert.Equal(1, list.Workers.Single(w => w.NodeId == "cap-0").AppliedGeneration);
        Assert.DoesNotContain(list.Workers, w => w.NodeId == "cap-new");
    }

    [Fact]
    public async Task Concurrent_new_nodes_never_exceed_the_maximum()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => BeatAsync($"race-{i}", 0)));

        Assert.Equal(ExpiringWorkersApp.MaxWorkers, answers.Count(a => a == HttpStatusCode.OK));
        Assert.All(answers, a => Assert.Contains(a, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Equal(ExpiringWorkersApp.MaxWorkers, (await ListAsync()).Count);
    }

    [Fact]
    public async Task The_background_sweep_forgets_nodes_not_heard_from_for_the_expiry_and_frees_their_places()
    {
        await BeatAsync("old-a", 0);
        await BeatAsync("old-b", 0);
        await BeatAsync("old-c", 0);
        app.Time.Advance(TimeSpan.FromMinutes(50));
        await BeatAsync("old-a", 0); // still reporting: kept
        app.Time.Advance(TimeSpan.FromMinutes(11));

        // The sweep runs on its timer, driven by the fake clock: wait until it has.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<string> nodes;
        while ((nodes = [.. (await ListAsync()).Workers.Select(w => w.NodeId)]).Count != 1 && DateTime.UtcNow < deadline)
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }

        Assert.Equal(["old-a"], nodes);
        Assert.Equal(HttpStatusCode.OK, await BeatAsync("new-after-sweep", 0));
    }

    [Fact]
    public async Task An_expired_node_no_longer_holds_a_rollout_back()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var deployed = await app.DeployAsync("expiring", new { routes = new[] { new { route = "/expiring", module } } });
        await BeatAsync("gone-lagging", deployed.Generation - 1);
        app.Time.Advance(TimeSpan.FromMinutes(30));
        await BeatAsync("live-applied", deployed.Generation);
        var before = (await app.Admin().GetFromJsonAsync<RolloutView>("/api/v1/apps/expiring/rollout"))!;
        app.Time.Advance(TimeSpan.FromMinutes(31));
        await BeatAsync("live-applied", deployed.Generation);

        // The sweep, now (the background one may have run already on the moved clock: the outcome is the same).
        await app.Services.GetRequiredService<WorkerExpiry>().SweepAsync(CancellationToken.None);
        var after = (await app.Admin().GetFromJsonAsync<RolloutView>("/api/v1/apps/expiring/rollout"))!;

        Assert.Contains(before.Workers, w => w.NodeId == "gone-lagging" && w.Status == "pending");
        Assert.Equal(["live-applied"], after.Workers.Select(w => w.NodeId));
        Assert.Equal((1, 0, 0), (after.Applied, after.Pending, after.Failed));
    }

    [Fact]
    public async Task The_list_is_paged_like_the_other_lists()
    {
        await BeatAsync("page-a", 0);
        await BeatAsync("page-b", 0);
        await BeatAsync("page-c", 0);

        var first = await ListAsync("?pageIndex=0&pageSize=2");
        var second = await ListAsync("?pageIndex=1&pageSize=2");

        Assert.Equal((0, 2, 3L), (first.PageIndex, first.PageSize, first.Count));
        Assert.Equal(["page-a", "page-b"], first.Workers.Select(w => w.NodeId));
        Assert.Equal(["page-c"], second.Workers.Select(w => w.NodeId));
    }

    private async Task<WorkerList> ListAsync(string query = "") =>
        (await app.Admin().GetFromJsonAsync<WorkerList>($"/api/v1/workers{query}"))!;

    private async Task<HttpStatusCode> BeatAsync(string node, long generation)
    {
        using var response = await PostAsync(node, generation);
        return response.StatusCode;
    }

    private Task<HttpResponseMessage> PostAsync(string node, long generation) =>
        app.Worker().PostAsJsonAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative),
            new WorkerReport(node, "http://10.0.0.9:8080", "1", generation, null, null, DateTimeOffset.UtcNow));
}
