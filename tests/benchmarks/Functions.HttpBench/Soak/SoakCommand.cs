using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Soak;

/// <summary>
/// <c>soak</c>: GET one URL at a fixed rate for a long time while redeploying its app every few seconds and sampling
/// the worker's RSS; prints a markdown report and PASS/FAIL lines (tests/benchmarks/soak.sh). Exit 5 on any FAIL.
/// </summary>
/// <remarks>
/// Keeps counters, not one record per request, so a 10-minute run at thousands of requests a second stays small. A
/// non-2xx answer (or a connection error or timeout) is "explained by a deploy" when it was due between sending a PUT
/// and the worker reporting that generation applied, plus a grace of two seconds.
/// </remarks>
internal static partial class SoakCommand
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(Arguments args)
    {
        var url = args.Url("url");
        var rate = args.Double("rate", 1000);
        var duration = TimeSpan.FromSeconds(args.Double("seconds", 600));
        var deployEvery = TimeSpan.FromSeconds(args.Double("deploy-every-seconds", 30));
        var sampleEvery = TimeSpan.FromSeconds(args.Double("sample-every-seconds", 5));
        var warmup = TimeSpan.FromSeconds(args.Double("warmup-seconds", Math.Min(60, duration.TotalSeconds / 4)));
        var workerPid = args.Int("worker-pid", 0);
        var worker = args.Url("worker");
        var app = args.Required("app");
        var route = args.Required("route");
        var module = args.Required("module");
        var tolerance = args.Double("rss-tolerance", 0.10);

        using var load = Clients.Create(connections: args.Int("connections", 32), timeout: TimeSpan.FromSeconds(30));
        using var admin = Clients.Create(connections: 4, bearer: args.Required("bearer"));
        admin.BaseAddress = args.Url("control-plane");
        using var probe = Clients.Create(connections: 2, timeout: TimeSpan.FromSeconds(5));
        var api = new ControlPlaneApi(admin);

        var clock = Stopwatch.StartNew();
        var deploys = new List<(TimeSpan From, TimeSpan To, long Generation, double PutMs)>();
        var rss = new List<(TimeSpan At, long Kib)>();
        using var stop = new CancellationTokenSource();
        var failedDeploys = 0;

        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (ReadRssKib(workerPid) is { } kib)
                {
                    lock (rss)
                    {
                        rss.Add((clock.Elapsed, kib));
                    }
                }

                await Delay(sampleEvery, stop.Token);
            }
        });
        var deploying = Task.Run(async () =>
        {
            for (var release = 1; ; release++)
            {
                await Delay(deployEvery, stop.Token);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                var from = clock.Elapsed;
                long generation;
                double ms;
                try
                {
                    (generation, ms) = await api.DeployAsync(app, new
                    {
                        route,
                        module,
                        environment = new Dictionary<string, string> { ["SOAK_RELEASE"] = release.ToString(CultureInfo.InvariantCulture) },
                    });
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref failedDeploys);
                    Console.Error.WriteLine($"soak: {clock.Elapsed.TotalSeconds:0}s release {release} failed: {e.Message}");
                    continue;
                }

                while (await AppliedAsync(probe, worker) < generation && clock.Elapsed - from < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(20, CancellationToken.None);
                }

                lock (deploys)
                {
                    deploys.Add((from, clock.Elapsed, generation, ms));
                }

                Console.Error.WriteLine($"soak: {clock.Elapsed.TotalSeconds:0}s release {release} (generation {generation}) served after {(clock.Elapsed - from).TotalMilliseconds:0} ms");
            }
        });

        Console.Error.WriteLine($"soak: {rate:0} req/s to {url} for {duration.TotalSeconds:0} s, a deploy every {deployEvery.TotalSeconds:0} s");
        var result = await new SteadyLoad(load, url).RunAsync(rate, duration, clock);
        stop.Cancel();
        await sampling;
        await deploying;

        List<(TimeSpan From, TimeSpan To)> windows;
        lock (deploys)
        {
            windows = [.. deploys.Select(d => (d.From, d.To + Grace))];
        }

        var failures = result.Failures.Select(f => (f.DueAt, f.Status, Explained: windows.Any(w => f.DueAt >= w.From && f.DueAt <= w.To))).ToList();
        var explained = failures.Count(f => f.Explained);
        var unexplained = failures.Count(f => !f.Explained);
        var afterWarmup = rss.Where(s => s.At >= warmup).Select(s => s.Kib).ToList();
        var baseline = afterWarmup.Count >= 3 ? Median(afterWarmup.Take(3)) : afterWarmup.FirstOrDefault();

        Console.WriteLine($"### Soak: {rate:0} req/s on {args.Int("connections", 32)} connections for {duration.TotalSeconds:0} s, a redeploy every {deployEvery.TotalSeconds:0} s");
        Console.WriteLine();
        Console.WriteLine("| requests | achieved req/s | statuses | p50 ms | p99 ms | max ms | deploys | deploy to served, median ms | worker RSS after warm-up (MiB): first, min, max, last |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var served = deploys.Select(d => (d.To - d.From).TotalMilliseconds).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {result.Requests} | {result.Requests / result.Elapsed.TotalSeconds:0} | {result.StatusMix} | {result.Percentile(50):0.0} | " +
            $"{result.Percentile(99):0.0} | {result.Percentile(100):0.0} | {deploys.Count} | {(served.Count > 0 ? served[served.Count / 2] : 0):0} | " +
            $"{Mib(baseline)}, {Mib(afterWarmup.DefaultIfEmpty().Min())}, {Mib(afterWarmup.DefaultIfEmpty().Max())}, {Mib(afterWarmup.LastOrDefault())} |"));
        Console.WriteLine();
        Console.WriteLine("RSS samples (s: MiB): " + string.Join(", ", rss.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.At.TotalSeconds:0}: {Mib(s.Kib)}"))));
        Console.WriteLine();
        foreach (var f in failures.Take(20))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- non-2xx: {f.Status} due at {f.DueAt.TotalSeconds:0.000} s ({(f.Explained ? "during a deploy" : "not during a deploy")})"));
        }

        var verdicts = new List<(bool Pass, string Text)>
        {
            (unexplained == 0, $"non-2xx responses not explained by a deploy: {unexplained}"),
            (explained == 0, $"non-2xx responses during deploys (ideally 0): {explained}"),
            (failedDeploys == 0, $"redeploys answered 2xx: {deploys.Count} of {deploys.Count + failedDeploys}"),
            (result.Requests / result.Elapsed.TotalSeconds >= 0.95 * rate,
                $"the load generator kept the rate: {result.Requests / result.Elapsed.TotalSeconds:0} of {rate:0} req/s"),
        };
        if (afterWarmup.Count >= 3)
        {
            var low = afterWarmup.Min();
            var high = afterWarmup.Max();
            verdicts.Add((high <= baseline * (1 + tolerance) && low >= baseline * (1 - tolerance),
                string.Create(CultureInfo.InvariantCulture,
                    $"worker RSS flat within {tolerance:P0} after warm-up ({warmup.TotalSeconds:0} s): {Mib(low)}..{Mib(high)} MiB around {Mib(baseline)} MiB ({afterWarmup.Count} samples)")));
        }
        else
        {
            verdicts.Add((false, $"worker RSS: only {afterWarmup.Count} samples after warm-up; run longer or sample more often"));
        }

        Console.WriteLine();
        foreach (var (pass, text) in verdicts)
        {
            Console.WriteLine($"{(pass ? "PASS" : "FAIL")} {text}");
        }

        return verdicts.All(v => v.Pass) ? 0 : 5;
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The generation the worker's <c>/readyz</c> reports ("ready: generation N …"), or -1.</summary>
    private static async Task<long> AppliedAsync(HttpClient probe, Uri worker)
    {
        try
        {
            var text = await probe.GetStringAsync(new Uri(worker, "/readyz"));
            var match = GenerationPattern().Match(text);
            return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        }
        catch (HttpRequestException)
        {
            return -1;
        }
        catch (TaskCanceledException)
        {
            return -1;
        }
    }

    private static long? ReadRssKib(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Mib(long kib) => (kib / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"generation (\d+)")]
    private static partial Regex GenerationPattern();
}
