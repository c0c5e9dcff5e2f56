using Functions.HttpBench.Common;

namespace Functions.HttpBench.Load;

/// <summary><c>rate</c>: GET one URL at a fixed rate after a warm-up; prints one table row (with header).</summary>
internal static class RateCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var url = args.Url("url");
        var rate = args.Double("rate", 200);
        var seconds = args.Double("seconds", 20);
        var warmup = args.Double("warmup-seconds", 2);
        var label = args.Text("label", $"GET {url.AbsolutePath}");
        using var client = Clients.Create(connections: 256, bearer: args.Optional("bearer"), timeout: TimeSpan.FromSeconds(10));
        var load = new PacedLoad(client, () => new HttpRequestMessage(HttpMethod.Get, url));

        Console.Error.WriteLine($"rate: warming up {url} for {warmup} s");
        await load.RunAsync(rate, TimeSpan.FromSeconds(warmup));
        Console.Error.WriteLine($"rate: {rate} req/s for {seconds} s");
        var result = await load.RunAsync(rate, TimeSpan.FromSeconds(seconds));
        Console.WriteLine(LoadResult.Header);
        Console.WriteLine(result.Row(label, rate));
        return 0;
    }
}
