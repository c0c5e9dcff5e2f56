using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Functions.FleetSim;

/// <summary>What the control plane, Postgres and the broker spent: read before and after a phase.</summary>
internal sealed class Meters(SimOptions options) : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly NpgsqlDataSource? _postgres = options.Postgres is null ? null : NpgsqlDataSource.Create(options.Postgres);
    private readonly HttpClient _rabbit = Management(options.RabbitManagement);

    public sealed record Sample(double Ms, double CpuTicks, long Transactions, long RowsWritten, long RowsRead);

    public async Task<Sample> ReadAsync(Clock clock)
    {
        // Postgres publishes a backend's counters at most once a second (PG 15): wait so the phase's last statements count.
        if (_postgres is not null)
        {
            await Task.Delay(1100).ConfigureAwait(false);
        }

        var ticks = options.ControlPlanePid is { } pid ? Ticks(pid) : double.NaN;
        long xacts = -1, written = -1, read = -1;
        if (_postgres is not null)
        {
            await using var command = _postgres.CreateCommand("""
                SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted, tup_returned
                FROM pg_stat_database WHERE datname = current_database()
                """);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
            (xacts, written, read) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        return new Sample(clock.Ms, ticks, xacts, written, read);
    }

    /// <summary>The broker node's memory in MiB and its queue count, from the management API.</summary>
    public async Task<(double MemoryMiB, int Queues, int Connections)?> BrokerAsync()
    {
        if (options.RabbitManagement is null)
        {
            return null;
        }

        try
        {
            using var nodes = JsonDocument.Parse(await _rabbit.GetStringAsync(new Uri("api/nodes", UriKind.Relative)).ConfigureAwait(false));
            using var overview = JsonDocument.Parse(await _rabbit.GetStringAsync(new Uri("api/overview", UriKind.Relative)).ConfigureAwait(false));
            var memory = nodes.RootElement[0].GetProperty("mem_used").GetInt64() / 1048576.0;
            var totals = overview.RootElement.GetProperty("object_totals");
            return (memory, totals.GetProperty("queues").GetInt32(), totals.GetProperty("connections").GetInt32());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            // A broker busy with a thousand connections may not answer its management API in time: the report says so.
            await Console.Error.WriteLineAsync($"the broker's management API did not answer: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static double Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 (utime, stime) are at 11 and 12 once pid and comm are cut.
        return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    public static double CpuSeconds(Sample from, Sample to) => (to.CpuTicks - from.CpuTicks) / TicksPerSecond;

    private static HttpClient Management(Uri? address)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        if (address is null)
        {
            return http;
        }

        http.BaseAddress = new Uri(address.GetLeftPart(UriPartial.Authority) + "/");
        if (!string.IsNullOrEmpty(address.UserInfo))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(address.UserInfo))));
        }

        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }

        _rabbit.Dispose();
    }
}
