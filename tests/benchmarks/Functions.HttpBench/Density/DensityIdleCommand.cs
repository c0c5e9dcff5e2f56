using System.Diagnostics;
using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// <c>density-idle</c>: latency of the first request to functions that went idle. Takes --sample routes spread evenly
/// over the deployed ones (from --offset), requests each once on every worker (the module is loaded and used), with
/// --sweep 1 then requests every other route once (a module cache bounded in bytes and ordered by use would drop the
/// sample's modules first), waits --idle-wait-seconds (longer than the workers' idle setting), and then requests each
/// sampled function once, one request at a time, alternating workers. Then the same again at once (warm) for scale.
/// --management lists the workers' management addresses (same order as --workers), where their /metrics answer.
/// </summary>
internal static class DensityIdleCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var workers = DensityLayout.Workers(args);
        var management = DensityLayout.Workers(args, "management");
        var routes = DensityLayout.ReadRoutes(args.Required("routes"));
        var size = Math.Min(args.Int("sample", 100), routes.Count);
        var offset = args.Int("offset", 0);
        var sweep = args.Int("sweep", 0) != 0;
        var wait = TimeSpan.FromSeconds(args.Double("idle-wait-seconds", 6));
        var label = args.Text("label", sweep ? "idle, module pushed out by a sweep" : "idle, module in memory");
        using var client = Clients.Create(4 * workers.Count, timeout: TimeSpan.FromSeconds(30));

        var picked = new HashSet<int>(Enumerable.Range(0, size).Select(i => (int)(((long)i * routes.Count / size + offset) % routes.Count)));
        var sample = picked.Order().Select(i => routes[i]).ToList();
        Console.Error.WriteLine($"density-idle: {label}: warming {sample.Count} functions on {workers.Count} workers");
        foreach (var route in sample)
        {
            foreach (var worker in workers)
            {
                await GetAsync(client, worker, route.Route);
            }
        }

        if (sweep)
        {
            var others = routes.Where((_, i) => !picked.Contains(i)).ToList();
            Console.Error.WriteLine($"density-idle: sweeping the {others.Count} other routes once on each worker");
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 2 * workers.Count).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < others.Count * workers.Count)
                {
                    await GetAsync(client, workers[i % workers.Count], others[i / workers.Count].Route);
                }
            }));
        }

        Console.Error.WriteLine($"density-idle: waiting {wait.TotalSeconds} s for the functions to go idle");
        await Task.Delay(wait);
        var ready = new List<string>();
        for (var i = 0; i < workers.Count; i++)
        {
            ready.Add($"{workers[i].Authority}: {(i < management.Count ? await ReadyInstancesAsync(client, management[i]) : "?")}");
        }

        var first = await MeasureAsync(client, workers, sample);
        if (args.Int("header", 1) != 0)
        {
            Console.WriteLine(Header);
        }

        var warm = await MeasureAsync(client, workers, sample);
        Console.WriteLine(Row(label, sample.Count * workers.Count, first, string.Join(", ", ready)));
        Console.WriteLine(Row("the same functions again at once (warm)", sample.Count * workers.Count, warm, "–"));
        return 0;
    }

    /// <summary>The markdown header of the rows this command prints.</summary>
    public const string Header =
        "| first request | requests | p50 ms | p90 ms | p99 ms | max ms | not 200 (not in the percentiles) | ready instances when measuring began (all routes) |\n" +
        "|---|---|---|---|---|---|---|---|";

    private static async Task<(Percentiles Latency, int Failures)> MeasureAsync(HttpClient client, IReadOnlyList<Uri> workers,
        IReadOnlyList<DensityRoute> sample)
    {
        var times = new List<double>();
        var failures = 0;
        foreach (var route in sample)
        {
            foreach (var worker in workers)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await GetAsync(client, worker, route.Route);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status == 200)
                {
                    times.Add(ms); // a 404 from a worker that did not apply the route is no first request to a function
                }
                else
                {
                    failures++;
                }
            }
        }

        return (new Percentiles(times), failures);
    }

    private static string Row(string label, int requests, (Percentiles Latency, int Failures) result, string ready)
    {
        var p = result.Latency;
        return $"| {label} | {requests} | **{Percentiles.Ms(p.Median)}** | {Percentiles.Ms(p[90])} | **{Percentiles.Ms(p[99])}** | " +
            $"{Percentiles.Ms(p.Max)} | {result.Failures} | {ready} |";
    }

    private static async Task<int> GetAsync(HttpClient client, Uri worker, string route)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(worker, route.TrimStart('/')), HttpCompletionOption.ResponseContentRead);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    /// <summary>The sum of <c>functions_pool_ready_instances</c> over every route in the worker's /metrics (on its management address), or "?".</summary>
    private static async Task<string> ReadyInstancesAsync(HttpClient client, Uri management)
    {
        try
        {
            var text = await client.GetStringAsync(new Uri(management, "metrics"));
            var values = text.Split('\n').Where(line => line.StartsWith("functions_pool_ready_instances{", StringComparison.Ordinal))
                .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).ToList();
            return values.Count == 0 ? "none (no route)" : values.Sum().ToString("0", CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return "?";
        }
    }
}
