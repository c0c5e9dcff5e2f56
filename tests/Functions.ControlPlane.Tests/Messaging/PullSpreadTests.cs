using System.Net.Http.Json;
using Functions.Contracts;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Messaging;
using Functions.ControlPlane.Tests.Support;
using Npgsql;

namespace Functions.ControlPlane.Tests.Messaging;

/// <summary>
/// The doorbell asks the fleet to spread its pulls over a window sized by the live workers: a small installation pulls
/// at once (a deploy costs no jitter), a thousand workers over a second.
/// </summary>
public sealed class PullSpreadTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 0)]
    [InlineData(16, 0)]
    [InlineData(17, 17)]
    [InlineData(200, 200)]
    [InlineData(1000, 1000)]
    [InlineData(5000, 1000)]
    public void The_spread_is_a_millisecond_per_live_worker_none_for_a_handful_and_at_most_a_second(int live, int expectedMs) =>
        Assert.Equal(expectedMs, PullSpread.For(live, new ControlPlaneOptions()));

    [Fact]
    public async Task A_small_fleet_is_told_to_pull_at_once_and_a_fleet_of_a_thousand_live_workers_over_a_second()
    {
        await using var observer = await BusObserver.StartAsync(app.RabbitMq);
        var module = await app.UploadFixtureAsync("hello-wat");
        foreach (var node in new[] { "small-1", "small-2" })
        {
            using var beat = await app.Worker().PostAsJsonAsync(new Uri("/internal/v1/workers/heartbeat", UriKind.Relative),
                new WorkerReport(node, "http://10.0.0.7:8080", "1", 0, null, null, DateTimeOffset.UtcNow));
            beat.EnsureSuccessStatusCode();
        }

        var small = await app.DeployAsync("spread", new { routes = new[] { new { route = "/spread", module } } });
        var toSmall = await observer.WaitForAsync(small.Generation, Patience);
        Assert.NotNull(toSmall);
        Assert.Equal(0, toSmall.PullSpreadMs);

        // 998 more live nodes, and 500 whose last heartbeat is older than WorkerStaleAfter, which do not count.
        await ExecuteAsync("""
            INSERT INTO worker_nodes (node_id, address, version, first_seen, last_heartbeat, applied_generation, failed_apps)
            SELECT 'live-' || i, 'http://10.0.0.8:8080', '1', now(), now(), 0, '[]'::jsonb FROM generate_series(1, 998) AS i
            UNION ALL
            SELECT 'stale-' || i, 'http://10.0.0.9:8080', '1', now() - interval '1 hour', now() - interval '5 minutes', 0, '[]'::jsonb
            FROM generate_series(1, 500) AS i
            """);
        var large = await app.DeployAsync("spread", new { routes = new[] { new { route = "/spread-2", module } } });
        var toLarge = await observer.WaitForAsync(large.Generation, Patience);
        Assert.NotNull(toLarge);
        Assert.Equal(1000, toLarge.PullSpreadMs);

        await ExecuteAsync("DELETE FROM worker_nodes WHERE node_id LIKE 'live-%' OR node_id LIKE 'stale-%'");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
