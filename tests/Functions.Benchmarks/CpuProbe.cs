using System.Diagnostics;
using System.Globalization;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Process CPU time per invocation (every thread: caller, execution thread, refill, Wasmtime's own), next to the wall
/// time. On a shared, busy machine wall-clock medians swing with other processes' load; the CPU a request costs this
/// process swings much less, so optimizations are compared on both. Not a BenchmarkDotNet run.
/// <c>cpu [--sync] [--ready n] [--settings name[,name]] [module...]</c>: <c>--ready</c> sets the pool's ready instances
/// (default 16); <c>--sync</c> calls <see cref="FunctionPool.Invoke"/> on
/// the caller's thread instead of awaiting <see cref="FunctionPool.InvokeAsync(Invocation, CancellationToken)"/>; settings from <see cref="EngineSettings"/>.
/// </summary>
internal static class CpuProbe
{
    private const int Warmup = 5_000;
    private const int Measured = 20_000;

    public static int Run(string[] args)
    {
        var sync = args.Contains("--sync");
        var readyAt = Array.IndexOf(args, "--ready");
        var ready = readyAt >= 0 && readyAt + 1 < args.Length ? int.Parse(args[readyAt + 1], CultureInfo.InvariantCulture) : 16;
        var settingsAt = Array.IndexOf(args, "--settings");
        var settings = settingsAt >= 0 && settingsAt + 1 < args.Length ? args[settingsAt + 1].Split(',') : EngineSettings.All;
        var modules = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (settingsAt < 0 || i != settingsAt + 1)
            && (readyAt < 0 || i != readyAt + 1)).ToArray();
        modules = modules.Length > 0 ? modules : ["hello-wat", "hello-c", "rust-page"];
        Console.WriteLine($"| module | engine settings | callers{(sync ? " (sync)" : "")} | wall median | wall p90 | invocations/s | CPU per invocation |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var module in modules)
        {
            foreach (var callers in new[] { 1, 2 })
            {
                foreach (var name in settings)
                {
                    Measure(module, name, callers, sync, ready);
                }
            }
        }

        return 0;
    }

    private static void Measure(string module, string settings, int callers, bool sync, int ready)
    {
        using var runtime = new WasmRuntime(EngineSettings.Options(settings));
        using var pool = Workload.Pool(runtime, module, ready);
        Run(pool, module, callers, sync, Warmup / callers, null);

        var wall = new double[Measured];
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var elapsed = Stopwatch.StartNew();
        Run(pool, module, callers, sync, Measured / callers, wall);
        elapsed.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / Measured;
        Array.Sort(wall);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {module} | {settings} | {callers} | {wall[Measured / 2]:F1} µs | {wall[Measured * 9 / 10]:F1} µs | " +
            $"{Measured / elapsed.Elapsed.TotalSeconds:F0} | {cpu:F1} µs |"));
    }

    private static void Run(FunctionPool pool, string module, int callers, bool sync, int perCaller, double[]? wall) =>
        Task.WhenAll(Enumerable.Range(0, callers).Select(c =>
        {
            var times = wall is null ? (ArraySegment<double>?)null : new ArraySegment<double>(wall, c * perCaller, perCaller);
            return sync
                ? Task.Factory.StartNew(() => SyncCaller(pool, module, perCaller, times), TaskCreationOptions.LongRunning)
                : Task.Run(() => Caller(pool, module, perCaller, times));
        })).GetAwaiter().GetResult();

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

    private static void SyncCaller(FunctionPool pool, string module, int count, ArraySegment<double>? wall)
    {
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            Workload.Check(pool.Invoke(Workload.Invocation), module);
            if (wall is { } times)
            {
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }
        }
    }
}
