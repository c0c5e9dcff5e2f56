using System.Globalization;
using Functions.FleetSim;
using Functions.Worker.Sync;

SimOptions options;
try
{
    options = SimOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"functions-fleet-sim: {e.Message}\n\n{SimOptions.Usage}");
    return 2;
}

var clock = new Clock();
var log = Console.Error;
// One connection pool for every node: a real fleet opens a connection per node, but what the control plane does
// per request (and per query) is the same, and one process cannot hold thousands of sockets to itself cheaply.
using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 256 };
using var admin = new AdminApi(options.ControlPlane, options.AdminKey);
await using var meters = new Meters(options);
var nodes = new List<SimulatedNode>();
try
{
    // The app exists and every node has applied it before anything is measured.
    var baseline = await admin.DeployAsync(await File.ReadAllBytesAsync(options.Module), 0);
    log.WriteLine($"starting {options.Nodes} simulated workers");
    using (var starting = new SemaphoreSlim(16))
    {
        await Task.WhenAll(Enumerable.Range(0, options.Nodes).Select(async i =>
        {
            await starting.WaitAsync();
            try
            {
                var http = new HttpClient(handler, disposeHandler: false);
                ControlPlaneClient.Configure(http, options.ControlPlane, options.WorkerKey);
                var node = new SimulatedNode($"sim-{i:D4}", options.RabbitMq, new ControlPlaneClient(http), options, clock);
                lock (nodes)
                {
                    nodes.Add(node);
                }

                await node.StartAsync(CancellationToken.None);
            }
            finally
            {
                starting.Release();
            }
        }));
    }

    await WaitAppliedAsync(nodes, baseline, TimeSpan.FromMinutes(5));
    log.WriteLine($"every node applied generation {baseline} at {clock.Ms / 1000:0.0} s ({nodes.Sum(n => n.StartRetries)} bus starts retried)");

    var broker = await meters.BrokerAsync();
    var report = new List<string>
    {
        $"### {options.Nodes} simulated workers{(options.Label.Length > 0 ? $" ({options.Label})" : "")}",
        "",
        $"Apply delay {options.ApplyDelay.TotalMilliseconds:0} ms, pull jitter up to {options.PullJitter.TotalMilliseconds:0} ms, heartbeat every {options.HeartbeatInterval.TotalSeconds:0} s, " +
        $"poll every {options.PollInterval.TotalSeconds:0} s. Load average {File.ReadAllText("/proc/loadavg")[..14].Trim()} at the start.",
        "",
    };
    if (broker is { } b)
    {
        report.Add($"Broker with the fleet connected: {b.MemoryMiB:0} MiB, {b.Queues} queues, {b.Connections} connections.");
        report.Add("");
    }
    else if (options.RabbitManagement is not null)
    {
        report.Add("Broker: its management API did not answer within 30 s with the fleet connected.");
        report.Add("");
    }

    // Steady state: heartbeats only.
    var beats0 = nodes.Sum(n => n.Heartbeats);
    var s0 = await meters.ReadAsync(clock);
    await Task.Delay(options.Steady);
    var s1 = await meters.ReadAsync(clock);
    var seconds = (s1.Ms - s0.Ms) / 1000;
    var beats = (nodes.Sum(n => n.Heartbeats) - beats0) / seconds;
    var steadyXacts = (s1.Transactions - s0.Transactions) / seconds;
    report.Add($"Steady ({seconds:0} s, no deploys): {beats:0.0} heartbeats/s, control plane CPU " +
        $"{Meters.CpuSeconds(s0, s1) / seconds * 100:0.0} % of a core, Postgres {steadyXacts:0.0} transactions/s, " +
        $"{(s1.RowsWritten - s0.RowsWritten) / seconds:0.0} rows written/s.");
    report.Add("");
    report.Add("| deploy | generation | PUT → notified p50 / p99 / max, ms | PUT → applied p50 / p99 / max, ms | control plane CPU, s | Postgres transactions (net of steady) | desired-state pulls (304) | module downloads |");
    report.Add("|---|---|---|---|---|---|---|---|");

    var rows = new List<(double NotifiedP99, double AppliedP99, double Cpu, double Xacts)>();
    var module = await File.ReadAllBytesAsync(options.Module);
    for (var run = 1; run <= options.Deploys; run++)
    {
        var pulls0 = nodes.Sum(n => n.Pulls);
        var notModified0 = nodes.Sum(n => n.NotModified);
        var downloads0 = nodes.Sum(n => n.ModuleDownloads);
        var digest = await admin.UploadAsync(AdminApi.Variant(module, run));
        var m0 = await meters.ReadAsync(clock);
        var t0 = clock.Ms;
        var generation = await admin.PutAsync(digest, run);
        await WaitAppliedAsync(nodes, generation, TimeSpan.FromMinutes(2));
        var m1 = await meters.ReadAsync(clock);
        var notified = nodes.Select(n => n.Notified.TryGetValue(generation, out var t) ? t - t0 : double.NaN).ToList();
        var applied = nodes.Select(n => n.Applied[generation] - t0).ToList();
        var cpu = Meters.CpuSeconds(m0, m1);
        var xacts = m1.Transactions - m0.Transactions - steadyXacts * (m1.Ms - m0.Ms) / 1000;
        rows.Add((Percentile(notified, 99), Percentile(applied, 99), cpu, xacts));
        report.Add(string.Create(CultureInfo.InvariantCulture,
            $"| {run} | {generation} | {Triple(notified)} | {Triple(applied)} | {cpu:0.00} | {xacts:0} | " +
            $"{nodes.Sum(n => n.Pulls) - pulls0} ({nodes.Sum(n => n.NotModified) - notModified0}) | {nodes.Sum(n => n.ModuleDownloads) - downloads0} |"));
        log.WriteLine(report[^1]);
        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    report.Add(string.Create(CultureInfo.InvariantCulture,
        $"| **median** | | p99 **{Median(rows.Select(r => r.NotifiedP99)):0}** | p99 **{Median(rows.Select(r => r.AppliedP99)):0}** | " +
        $"**{Median(rows.Select(r => r.Cpu)):0.00}** | **{Median(rows.Select(r => r.Xacts)):0}** | | |"));
    var missed = nodes.Sum(n => n.Failures);
    report.Add("");
    report.Add($"Failed requests (pulls, downloads, heartbeats) over the run: {missed}. Notified: the node's consumer took " +
        "the doorbell; applied: the control plane accepted the node's heartbeat reporting the generation.");
    Console.WriteLine(string.Join('\n', report));
    return 0;
}
finally
{
    log.WriteLine("stopping the simulated workers");
    await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
}

static async Task WaitAppliedAsync(List<SimulatedNode> nodes, long generation, TimeSpan timeout)
{
    var deadline = DateTime.UtcNow + timeout;
    while (nodes.Any(n => !n.Applied.ContainsKey(generation)))
    {
        if (DateTime.UtcNow > deadline)
        {
            var behind = nodes.Where(n => !n.Applied.ContainsKey(generation)).ToList();
            throw new TimeoutException($"{behind.Count} of {nodes.Count} nodes did not report generation {generation} " +
                $"within {timeout} (e.g. {behind[0].NodeId} at {behind[0].AppliedGeneration}, {behind[0].Failures} failed requests).");
        }

        await Task.Delay(10);
    }
}

static double Percentile(IReadOnlyList<double> values, double p)
{
    var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
    if (sorted.Count < values.Count)
    {
        return double.NaN; // a node never notified: the table says so instead of hiding it
    }

    return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static string Triple(IReadOnlyList<double> values) =>
    string.Create(CultureInfo.InvariantCulture, $"{Percentile(values, 50):0} / {Percentile(values, 99):0} / {Percentile(values, 100):0}") +
    (values.Any(double.IsNaN) ? $" ({values.Count(double.IsNaN)} never)" : "");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[(sorted.Count - 1) / 2];
}
