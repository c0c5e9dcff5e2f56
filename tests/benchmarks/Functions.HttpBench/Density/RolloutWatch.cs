using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// Polls <c>GET /api/v1/apps/{name}/rollout</c> of a set of apps until every one shows the expected number of workers
/// <c>applied</c>, and records when each worker first had every app applied.
/// </summary>
internal sealed class RolloutWatch(ControlPlaneApi api, int workers, TimeSpan interval)
{
    /// <summary>What the watch saw: whether all converged, when each worker did (ms from the start), and errors seen.</summary>
    public sealed record Result(bool Converged, double AllMs, IReadOnlyDictionary<string, double> WorkerMs,
        IReadOnlyDictionary<string, string> LastStatus, IReadOnlyList<string> Errors, bool GaveUp);

    /// <summary>
    /// Polls until converged, or <paramref name="timeout"/> from <paramref name="since"/>, or (when
    /// <paramref name="giveUpAfterFailed"/> is set) when every app not yet applied has shown only <c>failed</c>
    /// workers for that long: a refused generation that retries will not converge on its own.
    /// </summary>
    public async Task<Result> WaitAsync(IReadOnlyCollection<string> apps, long since, TimeSpan timeout, TimeSpan? giveUpAfterFailed = null)
    {
        var appliedBy = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var workerMs = new Dictionary<string, double>(StringComparer.Ordinal);
        var errors = new List<(string Key, SortedSet<string> Apps)>(); // "node: error", the apps it was reported for
        var lastStatus = new Dictionary<string, string>(StringComparer.Ordinal);
        long? failingSince = null;
        while (true)
        {
            var views = await Task.WhenAll(apps.Select(async app => (app, answer: await api.SendAsync(HttpMethod.Get, $"api/v1/apps/{app}/rollout"))));
            var elapsed = Stopwatch.GetElapsedTime(since).TotalMilliseconds;
            var converged = true;
            var onlyFailures = true;
            var nodes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (app, (status, body, _)) in views)
            {
                if (status != 200)
                {
                    converged = false;
                    onlyFailures = false;
                    lastStatus[app] = $"rollout answered {status}";
                    continue;
                }

                var view = JsonNode.Parse(body)!;
                var states = new List<string>();
                var applied = 0;
                foreach (var worker in view["workers"]!.AsArray())
                {
                    var node = worker!["nodeId"]!.GetValue<string>();
                    var state = worker["status"]!.GetValue<string>();
                    nodes.Add(node);
                    states.Add($"{node} {state}");
                    if (state == "applied")
                    {
                        applied++;
                        if (!appliedBy.TryGetValue(node, out var set))
                        {
                            appliedBy[node] = set = new HashSet<string>(StringComparer.Ordinal);
                        }

                        set.Add(app);
                    }
                    else if (state != "failed")
                    {
                        onlyFailures = false;
                    }

                    if (worker["error"]?.GetValue<string>() is { Length: > 0 } error)
                    {
                        var key = $"{node}: {DensityLayout.Brief(error, 300)}";
                        var seen = errors.FindIndex(e => e.Key == key);
                        if (seen < 0 && errors.Count < 20)
                        {
                            errors.Add((key, new SortedSet<string>(StringComparer.Ordinal) { app }));
                            Console.Error.WriteLine($"rollout: {app} on {key}");
                        }
                        else if (seen >= 0)
                        {
                            errors[seen].Apps.Add(app);
                        }
                    }
                }

                lastStatus[app] = string.Join(", ", states);
                if (applied < workers)
                {
                    converged = false;
                }
            }

            foreach (var node in nodes)
            {
                if (!workerMs.ContainsKey(node) && appliedBy.TryGetValue(node, out var set) && set.Count == apps.Count)
                {
                    workerMs[node] = elapsed;
                }
            }

            if (converged)
            {
                return new Result(true, elapsed, workerMs, lastStatus, Lines(errors), false);
            }

            failingSince = onlyFailures ? failingSince ?? Stopwatch.GetTimestamp() : null;
            var gaveUp = giveUpAfterFailed is { } limit && failingSince is { } f && Stopwatch.GetElapsedTime(f) > limit;
            if (gaveUp || elapsed > timeout.TotalMilliseconds)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"rollout: not converged after {elapsed / 1000:0.0} s{(gaveUp ? " (only failures for a while: giving up)" : "")}"));
                return new Result(false, elapsed, workerMs, lastStatus, Lines(errors), gaveUp);
            }

            await Task.Delay(interval);
        }
    }

    /// <summary>One line per worker and error: "node (for N apps: a, b, …): error".</summary>
    private static List<string> Lines(List<(string Key, SortedSet<string> Apps)> errors) =>
    [
        .. errors.Select(e =>
        {
            var colon = e.Key.IndexOf(": ", StringComparison.Ordinal);
            var apps = e.Apps.Count <= 3 ? string.Join(", ", e.Apps) : $"{string.Join(", ", e.Apps.Take(3))}, …";
            return $"{e.Key[..colon]} (reported for {e.Apps.Count} app{(e.Apps.Count == 1 ? "" : "s")}: {apps}){e.Key[colon..]}";
        }),
    ];
}
