using System.Diagnostics;
using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// <c>density-redeploy</c>: redeploys one of the deployed apps --count times with its first route bound to another of
/// the uploaded modules (already compiled on the workers) and a new environment value, and times from sending the PUT
/// until every worker answers that route with the new value (hello-c prints its environment).
/// </summary>
internal static class DensityRedeployCommand
{
    private const string Marker = "BENCH_RELEASE";

    public static async Task<int> RunAsync(Arguments args)
    {
        var workers = DensityLayout.Workers(args);
        var digests = DensityLayout.ReadDigests(args.Required("digests"));
        var routes = DensityLayout.ReadRoutes(args.Required("routes"));
        var count = args.Int("count", 10);
        var app = args.Text("app", routes[0].App);
        var timeout = TimeSpan.FromSeconds(args.Double("timeout-seconds", 30));
        var own = routes.Where(r => r.App == app).ToList();
        if (own.Count == 0)
        {
            throw new UsageException($"no route of app '{app}' in {args.Required("routes")}");
        }

        using var admin = Clients.Create(2, args.Required("bearer"), TimeSpan.FromSeconds(120));
        admin.BaseAddress = args.Url("control-plane");
        var api = new ControlPlaneApi(admin);
        using var poller = Clients.Create(4 * workers.Count, timeout: TimeSpan.FromSeconds(30));
        var served = new ServedWait(poller, workers, timeout);

        var all = new List<double>();
        var first = new List<double>();
        var puts = new List<double>();
        var missed = 0;
        var missedInARow = 0;
        var tries = 0;
        for (var i = 1; i <= count && missedInARow < 2; i++)
        {
            var module = (own[0].Module + i) % digests.Length;
            var bindings = own.Select((r, j) => j == 0
                ? DensityLayout.Binding(r.Route, digests[module], new Dictionary<string, string> { [Marker] = $"r{i}" })
                : DensityLayout.Binding(r.Route, digests[r.Module])).ToArray();
            var since = Stopwatch.GetTimestamp();
            var (status, body, putMs) = await api.SendAsync(HttpMethod.Put, $"api/v1/apps/{app}", new { routes = bindings });
            if (status is not (200 or 201))
            {
                Console.WriteLine($"**Redeploy of {app} answered {status}:** `{DensityLayout.Brief(body, 300)}`");
                return 1;
            }

            var times = await served.WaitAsync(own[0].Route, $"{Marker}=r{i}\n", since);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"density-redeploy {i}: PUT {putMs:0} ms, served after {(times is null ? "timeout" : string.Join(" / ", times.Select(t => t.ToString("0", CultureInfo.InvariantCulture))))} ms"));
            puts.Add(putMs);
            tries++;
            if (times is null)
            {
                missed++;
                missedInARow++;
            }
            else
            {
                missedInARow = 0;
                all.Add(times.Max());
                first.Add(times.Min());
            }

            await Task.Delay(250);
        }

        var p = new Percentiles(all);
        Console.WriteLine($"| redeploy of {app} ({own.Count} routes), one route to another module | tries | served by all {workers.Count}: median ms | min | max | first worker: median ms | PUT median ms | not served within {timeout.TotalSeconds:0} s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| from sending the PUT | {tries}{(tries < count ? " (stopped: two in a row not served)" : "")} | **{Percentiles.Ms(p.Median)}** | {Percentiles.Ms(p.Min)} | {Percentiles.Ms(p.Max)} | " +
            $"{Percentiles.Ms(new Percentiles(first).Median)} | {Percentiles.Ms(new Percentiles(puts).Median)} | {missed} |");
        return missed == 0 ? 0 : 5;
    }
}
