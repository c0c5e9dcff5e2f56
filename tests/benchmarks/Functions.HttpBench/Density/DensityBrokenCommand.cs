using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// <c>density-broken</c>: a broken app three ways (--start-trap: a start section that traps; --bad-import: an import no
/// worker provides; --big-memory with --memory-mb: a minimum memory above the route's limit), each after a reference
/// try with no broken app. Per try: the upload's and the deploy's answers, then another app's deploy made right after
/// (app --next-app, one route on module 0 with a new environment value) timed until every worker serves it, the broken
/// app's rollout, and, once the broken app is deleted again, the time until a further deploy of the other app is served.
/// </summary>
internal static class DensityBrokenCommand
{
    private const string Marker = "BENCH_RELEASE";

    public static async Task<int> RunAsync(Arguments args)
    {
        var workers = DensityLayout.Workers(args);
        var digests = DensityLayout.ReadDigests(args.Required("digests"));
        var timeout = TimeSpan.FromSeconds(args.Double("timeout-seconds", 30));
        var next = args.Text("next-app", "density-next");
        var memoryMb = args.Int("memory-mb", 1);
        using var admin = Clients.Create(2, args.Required("bearer"), TimeSpan.FromSeconds(120));
        admin.BaseAddress = args.Url("control-plane");
        var api = new ControlPlaneApi(admin);
        using var poller = Clients.Create(4 * workers.Count, timeout: TimeSpan.FromSeconds(30));
        var served = new ServedWait(poller, workers, timeout);

        var tries = new List<(string Kind, string Label, string? File, int? MemoryMb)>
        {
            ("none", "none (reference: no broken app)", null, null),
            ("start-trap", "start section traps", args.Required("start-trap"), null),
            ("bad-import", "unknown import (env.host_secret)", args.Required("bad-import"), null),
            ("big-memory", $"minimum memory over the route's limit (memoryMb {memoryMb})", args.Required("big-memory"), memoryMb),
        };
        var marker = 0;

        Console.WriteLine($"| broken module | upload | deploy of the broken app | its rollout | another app's deploy right after: served by all {workers.Count} | after deleting the broken app: next deploy served by all |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var referenceServed = true;
        foreach (var (kind, label, file, limit) in tries)
        {
            if (!referenceServed)
            {
                // A plain deploy is not served: a broken app's effect on the next deploy cannot be told apart.
                Console.WriteLine($"| {label} | not tried: the reference deploy was not served | | | | |");
                continue;
            }

            Console.Error.WriteLine($"density-broken: {label}");
            string upload = "–", deploy = "–", rollout = "–", after = "–";
            var brokenApp = $"density-broken-{kind}";
            var deployed = false;
            if (file is not null)
            {
                var bytes = await File.ReadAllBytesAsync(file);
                var (status, body) = await api.TryUploadAsync(bytes);
                upload = status is 200 or 201 ? status.ToString(CultureInfo.InvariantCulture) : $"**{status}** `{Problem(body)}`";
                if (status is 200 or 201)
                {
                    var digest = JsonNode.Parse(body)!["digest"]!.GetValue<string>();
                    var binding = DensityLayout.Binding($"/{brokenApp}", digest, memoryMb: limit);
                    var (putStatus, putBody, _) = await api.SendAsync(HttpMethod.Put, $"api/v1/apps/{brokenApp}", new { routes = new[] { binding } });
                    deployed = putStatus is 200 or 201;
                    deploy = deployed ? $"**{putStatus}** (accepted)" : $"**{putStatus}** `{Problem(putBody)}`";
                }
            }

            var (nextMs, nextNote) = await DeployNextAsync($"m{++marker}");
            referenceServed &= file is not null || nextMs is not null;
            if (deployed)
            {
                await Task.Delay(500); // the workers have had the broken app's generation since before the other deploy
                rollout = await RolloutAsync(brokenApp);
                var (status, body, _) = await api.SendAsync(HttpMethod.Delete, $"api/v1/apps/{brokenApp}");
                if (status != 204)
                {
                    Console.Error.WriteLine($"density-broken: DELETE {brokenApp} answered {status}: {DensityLayout.Brief(body)}");
                }

                var (afterMs, afterNote) = await DeployNextAsync($"m{++marker}");
                after = afterMs is { } a ? Percentiles.Ms(a) + " ms" : afterNote;
            }

            Console.WriteLine($"| {label} | {upload} | {deploy} | {rollout} | **{(nextMs is { } n ? Percentiles.Ms(n) + " ms" : nextNote)}** | {after} |");
        }

        return referenceServed ? 0 : 5;

        // PUT of the other app with a new environment value, timed from sending it until every worker answers with it.
        async Task<(double? Ms, string Note)> DeployNextAsync(string value)
        {
            var binding = DensityLayout.Binding($"/{next}", digests[0], new Dictionary<string, string> { [Marker] = value });
            var since = Stopwatch.GetTimestamp();
            var (status, body, _) = await api.SendAsync(HttpMethod.Put, $"api/v1/apps/{next}", new { routes = new[] { binding } });
            if (status is not (200 or 201))
            {
                return (null, $"its PUT answered {status} `{Problem(body)}`");
            }

            var times = await served.WaitAsync($"/{next}", $"{Marker}={value}\n", since);
            Console.Error.WriteLine($"density-broken: {next} {value} served after {(times is null ? "timeout" : string.Join(" / ", times.Select(t => Percentiles.Ms(t))))} ms");
            if (times is not null)
            {
                return (times.Max(), "");
            }

            var state = await RolloutAsync(next, 90);
            return (null, $"not served within {timeout.TotalSeconds:0} s; rollout {state}");
        }

        async Task<string> RolloutAsync(string app, int errorChars = 200)
        {
            var (status, body, _) = await api.SendAsync(HttpMethod.Get, $"api/v1/apps/{app}/rollout");
            if (status != 200)
            {
                return $"rollout answered {status}";
            }

            // Workers in the same state with the same error on one line: "density-w1, density-w2 failed `…`".
            var workers = JsonNode.Parse(body)!["workers"]!.AsArray()
                .Select(w => (Node: w!["nodeId"]!.GetValue<string>(), Status: w["status"]!.GetValue<string>(),
                    Error: w["error"]?.GetValue<string>() is { Length: > 0 } e ? DensityLayout.Brief(e, errorChars) : ""))
                .GroupBy(w => (w.Status, w.Error))
                .Select(g => $"{string.Join(", ", g.Select(w => w.Node))} {g.Key.Status}" + (g.Key.Error.Length > 0 ? $" `{g.Key.Error}`" : ""));
            return string.Join("; ", workers);
        }
    }

    /// <summary>The title and detail of a problem answer (or errors), on one line.</summary>
    private static string Problem(string body)
    {
        try
        {
            var problem = JsonNode.Parse(body)!;
            var detail = problem["errors"]?.ToJsonString() ?? problem["detail"]?.GetValue<string>() ?? "";
            return DensityLayout.Brief($"{problem["title"]?.GetValue<string>()} {detail}".Trim(), 200);
        }
        catch (System.Text.Json.JsonException)
        {
            return DensityLayout.Brief(body, 200);
        }
    }
}
