using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Functions.Contracts;
using Functions.Contracts.Api;
using Functions.ControlPlane.Internal;
using Functions.ControlPlane.Tests.Support;
using Functions.ControlPlane.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Functions.ControlPlane.Tests.Workers;

/// <summary>A control plane on a clock the tests move, trusting its current generation for an hour.</summary>
public sealed class FleetScaleApp : ControlPlaneApp
{
    public FleetScaleApp()
    {
        // Only a deployment through this instance moves the generation within a test.
        Settings["Functions:GenerationCacheTtl"] = "01:00:00";
        // The flush timer runs on the fake clock: at the default 5 s, the tests' 10 s steps ran a flush, which writes the
        // rows (a new xmin) the first test expects untouched, whenever it finished before the test read them. No step
        // reaches 5 minutes but the expiry test's, which flushes before its sweep anyway.
        Settings["Functions:WorkerStaleAfter"] = "00:10:00";
        Settings["Functions:HeartbeatFlushInterval"] = "00:05:00";
    }

    // Whole seconds: Postgres keeps microseconds, and the tests compare stored times exactly.
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
}

/// <summary>
/// What a thousand workers cost the control plane (issue 17): a heartbeat that changes nothing writes no row, and
/// neither a heartbeat nor an unchanged pull reads the generation from Postgres. The database shows it: an unwritten
/// row keeps its <c>xmin</c>, and a locked <c>generation</c> table would block any read of it.
/// </summary>
public sealed class FleetScaleTests(FleetScaleApp app) : IClassFixture<FleetScaleApp>
{
    private static readonly TimeSpan Deadlock = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_heartbeat_that_changes_nothing_writes_no_row_yet_the_workers_list_shows_its_time()
    {
        var first = app.Time.GetUtcNow();
        await BeatAsync(Report("quiet-node", 0));
        var written = await XminAsync("quiet-node");

        app.Time.Advance(TimeSpan.FromSeconds(10));
        await BeatAsync(Report("quiet-node", 0));
        app.Time.Advance(TimeSpan.FromSeconds(10));
        await BeatAsync(Report("quiet-node", 0));

        Assert.Equal(written, await XminAsync("quiet-node"));
        var worker = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers?pageSize=100"))!.Workers.Single(w => w.NodeId == "quiet-node");
        Assert.Equal(first + TimeSpan.FromSeconds(20), worker.LastHeartbeat);
        Assert.NotEqual("offline", worker.State);
    }

    [Fact]
    public async Task A_heartbeat_that_reports_a_change_is_written_at_once()
    {
        await BeatAsync(Report("changing-node", 0));
        var written = await XminAsync("changing-node");

        await BeatAsync(Report("changing-node", 0) with { FailedGeneration = 1, LastError = "out of memory" });

        Assert.NotEqual(written, await XminAsync("changing-node"));
        Assert.Equal((1L, "out of memory"), await StoredAsync("changing-node"));
    }

    [Fact]
    public async Task A_node_whose_row_was_deleted_is_recorded_again_from_its_next_heartbeat()
    {
        await BeatAsync(Report("deleted-node", 0));
        await ExecuteAsync("DELETE FROM worker_nodes WHERE node_id = 'deleted-node'");

        await BeatAsync(Report("deleted-node", 0));

        var workers = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers?pageSize=100"))!.Workers;
        Assert.Contains(workers, w => w.NodeId == "deleted-node");
    }

    [Fact]
    public async Task A_node_heard_only_through_coalesced_beats_is_not_swept_as_expired()
    {
        await BeatAsync(Report("coalesced-live", 0));
        app.Time.Advance(TimeSpan.FromMinutes(50));
        await BeatAsync(Report("coalesced-live", 0));
        app.Time.Advance(TimeSpan.FromMinutes(20));

        await app.Services.GetRequiredService<WorkerExpiry>().SweepAsync(CancellationToken.None);

        var workers = (await app.Admin().GetFromJsonAsync<WorkerList>("/api/v1/workers?pageSize=100"))!.Workers;
        Assert.Contains(workers, w => w.NodeId == "coalesced-live");
    }

    [Fact]
    public async Task Heartbeats_and_unchanged_pulls_answer_without_reading_the_generation_table()
    {
        var module = await app.UploadFixtureAsync("hello-wat");
        var deployed = await app.DeployAsync("fleet-gen", new { routes = new[] { new { route = "/fleet-gen", module } } });
        using var first = await app.Worker().GetAsync(new Uri("/internal/v1/desired-state", UriKind.Relative));
        var etag = first.Headers.ETag!;

        // While another transaction holds the table exclusively, any read of it would wait for the lock.
        await using var locker = new NpgsqlConnection(app.ConnectionString);
        await locker.OpenAsync();
        await using (var transaction = await locker.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE generation IN ACCESS EXCLUSIVE MODE", locker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            using var timeout = new CancellationTokenSource(Deadlock);
            var beat = await BeatAsync(Report("gen-node", deployed.Generation), timeout.Token);
            using var pull = new HttpRequestMessage(HttpMethod.Get, "/internal/v1/desired-state");
            pull.Headers.IfNoneMatch.Add(etag);
            using var unchanged = await app.Worker().SendAsync(pull, timeout.Token);

            Assert.Equal(deployed.Generation, beat.Generation);
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            await transaction.RollbackAsync();
        }

        // A deployment through this instance moves it at once, whatever the cache's lifetime (an hour here).
        var next = await app.DeployAsync("fleet-gen", new { routes = new[] { new { route = "/fleet-gen2", module } } });
        Assert.Equal(next.Generation, (await BeatAsync(Report("gen-node", deployed.Generation))).Generation);
        using var changed = new HttpRequestMessage(HttpMethod.Get, "/internal/v1/desired-state");
        changed.Headers.IfNoneMatch.Add(etag);
        using var answer = await app.Worker().SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(next.Generation, (await answer.Content.ReadFromJsonAsync<DesiredState>())!.Generation);
    }

    private static WorkerReport Report(string node, long generation) =>
        new(node, "http://10.0.0.7:8080", "1", generation, null, null, DateTimeOffset.UtcNow);

    private async Task<HeartbeatResponse> BeatAsync(WorkerReport report, CancellationToken cancel = default)
    {
        using var response = await app.Worker().PostAsJsonAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative), report, cancel);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<HeartbeatResponse>(cancel))!;
    }

    private async Task<string> XminAsync(string node) =>
        (await ScalarAsync($"SELECT xmin::text FROM worker_nodes WHERE node_id = '{node}'"))!.ToString()!;

    private async Task<(long?, string?)> StoredAsync(string node)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT failed_generation, last_error FROM worker_nodes WHERE node_id = @node", connection);
        command.Parameters.AddWithValue("node", node);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
