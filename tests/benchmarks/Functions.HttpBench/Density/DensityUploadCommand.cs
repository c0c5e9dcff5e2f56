using System.Diagnostics;
using System.Globalization;
using Functions.HttpBench.Common;

namespace Functions.HttpBench.Density;

/// <summary>
/// <c>density-upload</c>: uploads --count distinct copies of one module (a custom section holding the copy's index
/// makes each digest new; the code is the same) with --parallel uploads at once, and writes their digests in order.
/// </summary>
internal static class DensityUploadCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var module = File.ReadAllBytes(args.Required("module"));
        var count = args.Int("count", 1000);
        var parallel = args.Int("parallel", 4);
        var output = args.Required("digests-out");
        using var admin = Clients.Create(parallel, args.Required("bearer"), TimeSpan.FromSeconds(120));
        admin.BaseAddress = args.Url("control-plane");
        var api = new ControlPlaneApi(admin);

        var digests = new string[count];
        var times = new double[count];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                (digests[i], _, times[i]) = await api.UploadAsync(DensityLayout.Variant(module, i));
                if ((i + 1) % 100 == 0)
                {
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"density-upload: {i + 1}/{count} after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
                }
            }
        }));
        var totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (digests.Distinct(StringComparer.Ordinal).Count() != count)
        {
            throw new InvalidOperationException("two copies of the module got the same digest");
        }

        await File.WriteAllLinesAsync(output, digests);
        var p = new Percentiles(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Uploaded {count} distinct modules ({module.Length / 1024.0:0.0} KB each before the custom section), {parallel} at a time: " +
            $"{DensityLayout.Duration(totalMs)} in all; per upload median {Percentiles.Ms(p.Median)} ms, p99 {Percentiles.Ms(p[99])} ms."));
        return 0;
    }
}
