using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// <c>density-check</c>: GETs every route (or --sample of them, spread evenly) once on every worker, --parallel at a
/// time per worker, and counts the answers. Exit code 0 when every one was 200, 4 otherwise.
/// </summary>
internal static class DensityCheckCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var workers = DensityLayout.Workers(args);
        var routes = DensityLayout.ReadRoutes(args.Required("routes"));
        var sample = args.Int("sample", 0);
        if (sample > 0 && sample < routes.Count)
        {
            routes = [.. Enumerable.Range(0, sample).Select(i => routes[(int)((long)i * routes.Count / sample)])];
        }

        var parallel = args.Int("parallel", 8);
        using var client = Clients.Create(parallel, timeout: TimeSpan.FromSeconds(60));
        Console.WriteLine("| worker | routes requested | answered 200 | other answers | time for all | first other answer |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var allOk = true;
        foreach (var worker in workers)
        {
            var statuses = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var firstFailure = (string?)null;
            var next = -1;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < routes.Count)
                {
                    var url = new Uri(worker, routes[i].Route.TrimStart('/'));
                    string key;
                    try
                    {
                        using var response = await client.GetAsync(url);
                        key = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                        if (response.StatusCode != System.Net.HttpStatusCode.OK)
                        {
                            var body = await response.Content.ReadAsStringAsync();
                            Interlocked.CompareExchange(ref firstFailure, $"{routes[i].Route} → {key} {DensityLayout.Brief(body, 120)}", null);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        key = e.GetType().Name;
                        Interlocked.CompareExchange(ref firstFailure, $"{routes[i].Route} → {DensityLayout.Brief(e.Message, 120)}", null);
                    }

                    statuses.AddOrUpdate(key, 1, (_, n) => n + 1);
                }
            }));
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var ok = statuses.GetValueOrDefault("200");
            allOk &= ok == routes.Count;
            var others = string.Join(", ", statuses.Where(s => s.Key != "200").OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => $"{s.Key}×{s.Value}"));
            Console.Error.WriteLine($"density-check: {worker} {ok}/{routes.Count} answered 200 {others}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {worker.Authority} | {routes.Count} | **{ok}** | {(others.Length > 0 ? others : "–")} | {DensityLayout.Duration(ms)} | " +
                $"{(firstFailure is null ? "–" : $"`{firstFailure}`")} |"));
        }

        return allOk ? 0 : 4;
    }
}
