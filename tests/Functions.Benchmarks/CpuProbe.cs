using System.Diagnostics;
using System.Globalization;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Process CPU time per invocation (every thread: caller, execution thread, refill, Wasmtime's own), next to the wall
/// time. On a shared, busy machine wall-clock medians swing with other processes' load; the CPU a request costs this
/// process swings much less, so optimizations are compared on both. Not a BenchmarkDotNet run.
/// </summary>
internal static class CpuProbe
{
    private const int Warmup = 5_000;
    private const int Measured = 20_000;

    public static int Run(string[] modules)
    {
        modules = modules.Length > 0 ? modules : ["hello-wat", "hello-c", "rust-page"];
        Console.WriteLine("| module | keep resident | callers | wall median | wall p90 | invocations/s | CPU per invocation |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var module in modules)
        {
            foreach (var callers in new[] { 1, 2 })
            {
                foreach (var keep in new long[] { 0, 1024 * 1024 })
                {
                    Measure(module, keep, callers);
                }
            }
        }

        return 0;
    }

    private static void Measure(string module, long keepResident, int callers)
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { LinearMemoryKeepResidentBytes = keepResident });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("bench:" + module, Workload.Module(module)),
            new FunctionSettings { Name = module, ReadyInstances = 16 });
        Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => Caller(pool, module, Warmup / callers, null)))).GetAwaiter().GetResult();

        var wall = new double[Measured];
        var perCaller = Measured / callers;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var elapsed = Stopwatch.StartNew();
        Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() => Caller(pool, module, perCaller, new ArraySegment<double>(wall, c * perCaller, perCaller))))).GetAwaiter().GetResult();
        elapsed.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / Measured;
        Array.Sort(wall);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {module} | {keepResident / 1024} KiB | {callers} | {wall[Measured / 2]:F1} µs | {wall[Measured * 9 / 10]:F1} µs | " +
            $"{Measured / elapsed.Elapsed.TotalSeconds:F0} | {cpu:F1} µs |"));
    }

    private static async Task Caller(FunctionPool pool, string module, int count, ArraySegment<double>? wall)
    {
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            Workload.Check(await pool.InvokeAsync(Workload.Invocation), module);
            if (wall is { } times)
            {
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }
        }
    }
}
