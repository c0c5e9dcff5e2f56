using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Load;

/// <summary>What a paced run saw: per request, latency from when it was due and from when it was sent, and status.</summary>
internal sealed record LoadResult(double[] FromDueMs, double[] ServiceMs, int[] Statuses, TimeSpan Elapsed)
{
    public Percentiles Latency { get; } = new(FromDueMs);

    public Percentiles Service { get; } = new(ServiceMs);

    public double AchievedRate => Statuses.Length / Elapsed.TotalSeconds;

    /// <summary>e.g. <c>200×3996, 503×4</c>; -1 is a connection error, -2 a client timeout.</summary>
    public string StatusMix => string.Join(", ", Statuses
        .GroupBy(s => s)
        .OrderBy(g => g.Key)
        .Select(g => string.Create(CultureInfo.InvariantCulture, $"{(g.Key switch { -1 => "error", -2 => "timeout", _ => g.Key.ToString(CultureInfo.InvariantCulture) })}×{g.Count()}")));

    public const string Header =
        "| what | rate (req/s) | requests | statuses | p50 ms | p90 ms | p99 ms | max ms | p99 from send ms |\n" +
        "|---|---|---|---|---|---|---|---|---|";

    public string Row(string label, double rate) => string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {rate:0} (achieved {AchievedRate:0}) | {Statuses.Length} | {StatusMix} | {Percentiles.Ms(Latency[50])} | " +
        $"{Percentiles.Ms(Latency[90])} | {Percentiles.Ms(Latency[99])} | {Percentiles.Ms(Latency.Max)} | {Percentiles.Ms(Service[99])} |");
}
