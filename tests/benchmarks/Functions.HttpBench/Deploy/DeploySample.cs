using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Deploy;

/// <summary>One deploy: its upload (NaN when none), its PUT, and per worker the time from the PUT's answer to serving.</summary>
internal sealed record DeploySample(double UploadMs, double PutMs, double[] ServedMs)
{
    public double AllServedMs => ServedMs.Max();

    public static string Header(int workers) =>
        $"| deploy | n | served by all {workers}: median ms | min | p90 | max | first worker: median ms | PUT median ms | upload median ms |\n" +
        "|---|---|---|---|---|---|---|---|---|";

    public static string Row(string label, IReadOnlyList<DeploySample> samples)
    {
        var all = new Percentiles(samples.Select(s => s.AllServedMs));
        var first = new Percentiles(samples.Select(s => s.ServedMs.Min()));
        var put = new Percentiles(samples.Select(s => s.PutMs));
        var upload = new Percentiles(samples.Select(s => s.UploadMs).Where(ms => !double.IsNaN(ms)));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {samples.Count} | **{Percentiles.Ms(all.Median)}** | {Percentiles.Ms(all.Min)} | {Percentiles.Ms(all[90])} | " +
            $"{Percentiles.Ms(all.Max)} | {Percentiles.Ms(first.Median)} | {Percentiles.Ms(put.Median)} | {Percentiles.Ms(upload.Median)} |");
    }
}
