using System.Diagnostics;
using System.Globalization;
using Functions.HttpBench.Common;
using Functions.HttpBench.Load;

namespace Functions.HttpBench.Flood;

/// <summary>
/// <c>flood</c>: slow functions next to fast ones. Sends --requests requests at once to a slow route (its concurrency
/// limit admits a few, the rest should be refused at once with 503) while pacing requests to a fast route on the same
/// worker, first alone (quiet) and then for as long as the flood lasts.
/// </summary>
internal static class FloodCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var spinUrl = args.Url("spin-url");
        var helloUrl = args.Optional("hello-url") is { } hello ? new Uri(hello) : null;
        var rate = args.Double("hello-rate", 100);
        var requests = args.Int("requests", 100);
        using var spinClient = Clients.Create(requests, timeout: TimeSpan.FromSeconds(120));
        using var helloClient = Clients.Create(64, timeout: TimeSpan.FromSeconds(30));
        var paced = helloUrl is null ? null : new PacedLoad(helloClient, () => new HttpRequestMessage(HttpMethod.Get, helloUrl));

        LoadResult? quiet = null;
        if (paced is not null)
        {
            await paced.RunAsync(rate, TimeSpan.FromSeconds(1)); // warm-up
            quiet = await paced.RunAsync(rate, TimeSpan.FromSeconds(args.Double("quiet-seconds", 3)));
        }

        Console.Error.WriteLine($"flood: {requests} requests at once to {spinUrl}");
        using var floodOver = new CancellationTokenSource();
        var during = paced?.RunAsync(rate, TimeSpan.FromMinutes(2), floodOver.Token);
        var flood = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => SpinOnceAsync(spinClient, spinUrl)));
        await floodOver.CancelAsync();

        if (paced is not null)
        {
            Console.WriteLine(LoadResult.Header);
            Console.WriteLine(quiet!.Row($"hello alone, {quiet.Statuses.Length / rate:0} s", rate));
            var result = await during!;
            Console.WriteLine(result.Row($"hello during the flood, {result.Elapsed.TotalSeconds:0.0} s", rate));
            Console.WriteLine();
        }

        Console.WriteLine("| flood route | requests | statuses | time to answer, by status |\n|---|---|---|---|");
        var byStatus = flood.GroupBy(f => f.Status).OrderBy(g => g.Key).ToList();
        var mix = string.Join(", ", byStatus.Select(g => $"{Status(g.Key)}×{g.Count()}"));
        var times = string.Join("; ", byStatus.Select(g =>
        {
            var p = new Percentiles(g.Select(f => f.Ms));
            return $"{Status(g.Key)}: {Percentiles.Ms(p.Min)}–{Percentiles.Ms(p.Max)} ms (median {Percentiles.Ms(p.Median)})";
        }));
        Console.WriteLine($"| {spinUrl.AbsolutePath} | {requests} at once | {mix} | {times} |");
        return 0;
    }

    private static string Status(int status) => status switch
    {
        -1 => "error",
        -2 => "timeout",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task<(int Status, double Ms)> SpinOnceAsync(HttpClient client, Uri url)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(url).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return ((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (HttpRequestException)
        {
            return (-1, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (TaskCanceledException)
        {
            return (-2, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
