using System.Globalization;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Resident memory per ready instance: the process's VmRSS (<c>/proc/self/status</c>) with a function loaded and run
/// once, then with a pool of 1000 ready instances, then after the pool is disposed; for each module with
/// <c>linear_memory_keep_resident</c> at its default (256 KiB), 0 and 1 MiB. Not a BenchmarkDotNet run: RSS is a level, not a time.
/// </summary>
internal static class MemoryProbe
{
    private const int Instances = 1000;

    public static int Run(string[] modules)
    {
        if (!File.Exists("/proc/self/status"))
        {
            Console.Error.WriteLine("memory: needs /proc/self/status (Linux)");
            return 2;
        }

        modules = modules.Length > 0 ? modules : ["hello-wat", "hello-c", "rust-page"];
        Console.WriteLine($"| module | keep resident | RSS before | RSS with {Instances} ready | per instance | RSS after dispose |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var module in modules)
        {
            foreach (var keep in new long[] { new RuntimeOptions().LinearMemoryKeepResidentBytes, 0, 1024 * 1024 })
            {
                Measure(module, keep);
            }
        }

        return 0;
    }

    private static void Measure(string module, long keepResident)
    {
        using var runtime = new WasmRuntime(new RuntimeOptions
        {
            PoolingTotalInstances = 2 * Instances + 100,
            InlineRuns = 0, // requests of a burst overlap on execution threads instead of running one by one inline
            LinearMemoryKeepResidentBytes = keepResident,
            TableKeepResidentBytes = keepResident == 0 ? 0 : new RuntimeOptions().TableKeepResidentBytes,
        });
        var compiled = runtime.LoadOrCompile("bench:" + module, Workload.Module(module));
        var settings = new FunctionSettings { Name = module };
        Workload.Check(runtime.RunOnceAsync(compiled, settings, Workload.Invocation).GetAwaiter().GetResult(), module);

        var before = Settle();
        var pool = runtime.CreatePool(compiled, settings with { ReadyInstances = Instances, MaxConcurrency = 64 });

        // A pool starts scaled to zero: bursts of requests that find too few ready raise its target to the maximum.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (pool.Stats.Ready < Instances)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{module}: only {pool.Stats.Ready} of {Instances} instances became ready");
            }

            if (pool.Stats.TargetReady < Instances)
            {
                Task.WhenAll(Enumerable.Range(0, 64).Select(_ => pool.InvokeAsync(Workload.Invocation).AsTask())).GetAwaiter().GetResult();
            }
            else if (pool.Stats.Ready <= Instances / 2)
            {
                pool.Invoke(Workload.Invocation); // refills come in batches, once half of the target is used
            }

            Thread.Sleep(20);
        }

        var filled = Settle();
        pool.Dispose();
        var after = Settle();
        var perInstance = (filled - before) / (double)Instances;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {module} | {keepResident / 1024} KiB | {before / 1024.0:F1} MiB | {filled / 1024.0:F1} MiB | {perInstance:F1} KiB | {after / 1024.0:F1} MiB |"));
    }

    /// <summary>VmRSS in KiB after a full collection, so managed garbage does not count.</summary>
    internal static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(200);
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
