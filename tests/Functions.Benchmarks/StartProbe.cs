using System.Diagnostics;
using System.Globalization;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Where a warm start of <c>big</c> goes, step by step (<c>start</c> mode): constructing the runtime, loading the
/// cached artifact, the first invocation; medians of 30 starts, each in a fresh runtime. Not a BenchmarkDotNet run:
/// it splits what <see cref="StartBenchmarks"/> measures whole.
/// </summary>
internal static class StartProbe
{
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000b19";

    public static int Run()
    {
        var bytes = Workload.Module("big");
        var cache = Directory.CreateTempSubdirectory("functions-start-probe-");
        try
        {
            using (var writer = new WasmRuntime(new RuntimeOptions { CacheDirectory = cache.FullName }))
            {
                writer.LoadOrCompile(Digest, bytes);
            }

            var steps = new[] { "new WasmRuntime", "TryLoadCached", "first invocation", "total", "second invocation (for scale)" };
            var times = steps.Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < 33; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var started = Stopwatch.GetTimestamp();
                using var runtime = new WasmRuntime(new RuntimeOptions { CacheDirectory = cache.FullName });
                var constructed = Stopwatch.GetTimestamp();
                if (!runtime.TryLoadCached(Digest, out var module))
                {
                    throw new InvalidOperationException("the artifact was not found in the disk cache");
                }

                var loaded = Stopwatch.GetTimestamp();
                Workload.Check(runtime.RunOnceAsync(module!, new FunctionSettings { Name = "big" }, Workload.Invocation).GetAwaiter().GetResult(), "big");
                var invoked = Stopwatch.GetTimestamp();
                Workload.Check(runtime.RunOnceAsync(module!, new FunctionSettings { Name = "big" }, Workload.Invocation).GetAwaiter().GetResult(), "big");
                var again = Stopwatch.GetTimestamp();
                if (i >= 3)
                {
                    times[0].Add(Stopwatch.GetElapsedTime(started, constructed).TotalMilliseconds);
                    times[1].Add(Stopwatch.GetElapsedTime(constructed, loaded).TotalMilliseconds);
                    times[2].Add(Stopwatch.GetElapsedTime(loaded, invoked).TotalMilliseconds);
                    times[3].Add(Stopwatch.GetElapsedTime(started, invoked).TotalMilliseconds);
                    times[4].Add(Stopwatch.GetElapsedTime(invoked, again).TotalMilliseconds);
                }
            }

            Console.WriteLine("| step | median ms | min ms |");
            Console.WriteLine("|---|---|---|");
            for (var s = 0; s < steps.Length; s++)
            {
                times[s].Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {steps[s]} | {times[s][times[s].Count / 2]:F2} | {times[s][0]:F2} |"));
            }
        }
        finally
        {
            cache.Delete(recursive: true);
        }

        return 0;
    }
}
