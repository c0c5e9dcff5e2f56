using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// <c>density-deploy</c>: PUTs --routes routes over the uploaded modules in --apps apps (DensityLayout.Plan), one app
/// after another, and times from the first PUT until every worker reports every app applied
/// (<c>GET /api/v1/apps/{name}/rollout</c>). Exit code 0 when converged, 3 when not (the report says why).
/// </summary>
internal static class DensityDeployCommand
{
    public const int NotConverged = 3;

    public static async Task<int> RunAsync(Arguments args)
    {
        var digests = DensityLayout.ReadDigests(args.Required("digests"));
        var apps = args.Int("apps", 10);
        var total = args.Int("routes", digests.Length);
        var workers = args.Int("workers-count", 2);
        var prefix = args.Text("prefix", "density");
        var timeout = TimeSpan.FromSeconds(args.Double("timeout-seconds", 120));
        var giveUp = TimeSpan.FromSeconds(args.Double("give-up-seconds", 20));
        var label = args.Text("label", $"{total} routes in {apps} apps");
        var goal = args.Double("goal-seconds", 0);
        using var admin = Clients.Create(apps, args.Required("bearer"), TimeSpan.FromSeconds(300));
        admin.BaseAddress = args.Url("control-plane");
        var api = new ControlPlaneApi(admin);

        var plan = DensityLayout.Plan(prefix, apps, total, digests.Length);
        DensityLayout.WriteRoutes(args.Required("routes-out"), plan);
        var byApp = plan.GroupBy(r => r.App).ToList();

        var started = Stopwatch.GetTimestamp();
        var putMs = new List<double>();
        long generation = 0;
        foreach (var app in byApp)
        {
            var routes = app.Select(r => DensityLayout.Binding(r.Route, digests[r.Module])).ToArray();
            var (status, body, ms) = await api.SendAsync(HttpMethod.Put, $"api/v1/apps/{app.Key}", new { routes });
            if (status is not (200 or 201))
            {
                Console.WriteLine($"**Deploy of {app.Key} ({routes.Length} routes) answered {status}:** `{DensityLayout.Brief(body, 400)}`");
                return 1;
            }

            generation = JsonNode.Parse(body)!["generation"]!.GetValue<long>();
            putMs.Add(ms);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"density-deploy: PUT {app.Key} ({routes.Length} routes) → {status} in {ms:0} ms, generation {generation}"));
        }

        var allPut = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var watch = new RolloutWatch(api, workers, TimeSpan.FromMilliseconds(args.Int("poll-ms", 200)));
        var result = await watch.WaitAsync([.. byApp.Select(g => g.Key)], started, timeout, giveUp);

        Console.WriteLine("| deploy | PUTs (all apps) | every app applied on every worker | per worker | result |");
        Console.WriteLine("|---|---|---|---|---|");
        var perWorker = string.Join(", ", result.WorkerMs.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => $"{w.Key} {DensityLayout.Duration(w.Value)}"));
        var outcome = result.Converged
            ? goal > 0 ? $"converged; goal {goal:0} s {(result.AllMs <= goal * 1000 ? "met" : "**missed**")}" : "converged"
            : result.GaveUp
                ? $"**not converged**: gave up after {DensityLayout.Duration(result.AllMs)} (every worker short of an app had reported only failures for {giveUp.TotalSeconds:0} s)"
                : $"**not converged** within {timeout.TotalSeconds:0} s";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {DensityLayout.Duration(allPut)} ({putMs.Count} PUTs, median {putMs.Order().ElementAt(putMs.Count / 2):0} ms) | " +
            $"**{(result.Converged ? DensityLayout.Duration(result.AllMs) : "–")}** | {(perWorker.Length > 0 ? perWorker : "–")} | {outcome} |"));
        if (!result.Converged)
        {
            Console.WriteLine();
            var pending = result.LastStatus.Where(s => !s.Value.Split(", ").All(w => w.EndsWith(" applied", StringComparison.Ordinal))).ToList();
            Console.WriteLine($"Rollout when the wait ended: {pending.Count} of {byApp.Count} apps not applied everywhere" +
                (pending.Count > 0 ? $", e.g. {pending[0].Key}: `{pending[0].Value}`" : "") + ".");
        }

        if (result.Errors.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Errors the workers reported (rollout):");
            foreach (var error in result.Errors.Take(5))
            {
                Console.WriteLine($"- `{error}`");
            }
        }

        return result.Converged ? 0 : NotConverged;
    }
}
