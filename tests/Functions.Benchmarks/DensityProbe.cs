using System.Diagnostics;
using System.Globalization;
using System.Text;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Many functions in one runtime, as on a shared worker: <c>density [modules] [routes per module] [module memory MiB]</c>
/// (default 1000, 10 and the runtime's default bound; a small bound shows first requests served from the disk cache). Distinct modules are the C hello made distinct by a custom section (a different digest and artifact each).
/// Reports the process's VmRSS after deploying one route per module (every function scaled to zero), after deploying
/// the other routes, after one request to each function, and after they went idle again with the module cache bound at
/// its default; and the latency of a first request to an idle function whose module is in memory, and to one whose
/// module the cache dropped to disk. Not a BenchmarkDotNet run: levels and one-off latencies, each measured once per
/// function; percentiles over the functions.
/// </summary>
internal static class DensityProbe
{
    public static int Run(string[] args)
    {
        var modules = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var routesPerModule = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var memory = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) * 1024 * 1024 : new RuntimeOptions().ModuleMemoryBytes;
        var cache = Directory.CreateTempSubdirectory("functions-density-").FullName;
        try
        {
            Measure(modules, routesPerModule, memory, cache);
            return 0;
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    private static void Measure(int count, int routesPerModule, long moduleMemory, string cache)
    {
        var idle = TimeSpan.FromSeconds(2);
        var options = new RuntimeOptions
        {
            CacheDirectory = cache, IdleShrinkAfter = idle, ScaleInterval = TimeSpan.FromMilliseconds(200), ModuleMemoryBytes = moduleMemory,
        };
        using var runtime = new WasmRuntime(options);
        var hello = Workload.Module("hello-c");
        var started = Stopwatch.GetTimestamp();
        var compiled = Enumerable.Range(0, count)
            .Select(i => Distinct(hello, i))
            .Select(bytes => runtime.LoadOrCompile("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), bytes))
            .ToList();
        var compile = Stopwatch.GetElapsedTime(started);
        var rssStart = Settle();

        var pools = compiled.Select((m, i) => runtime.CreatePool(m, new FunctionSettings { Name = $"/f{i}" })).ToList();
        var rssDeployed = Settle();
        var others = compiled.SelectMany((m, i) => Enumerable.Range(1, routesPerModule - 1)
            .Select(r => runtime.CreatePool(m, new FunctionSettings { Name = $"/f{i}/r{r}" }))).ToList();
        var rssAllRoutes = Settle();

        // First requests with every module in memory (the bound: 256 MiB of artifacts by default).
        var inMemory = pools.Where(p => runtime.Stats.ModulesLoaded > 0).Select(FirstRequest).ToList();
        var rssCalled = Settle();

        // Idle again: each function scales to zero; past the bound, modules leave memory for the disk cache.
        Thread.Sleep(idle + TimeSpan.FromSeconds(1));
        var rssIdle = Settle();
        var stats = runtime.Stats;
        var onDisk = pools.Where(p => p.Module.IsEvicted).Select(FirstRequest).ToList();
        var resident = pools.Where(p => !p.Module.IsEvicted && !p.Stats.ModuleLoaded).Select(FirstRequest).ToList();

        Console.WriteLine($"{count} distinct modules (hello-c + a custom section), compiled in {compile.TotalSeconds:F1} s; " +
                          $"{routesPerModule} routes each; Runtime defaults but IdleShrinkAfter {idle.TotalSeconds:F0} s and ModuleMemoryBytes {moduleMemory / 1048576} MiB.");
        Console.WriteLine();
        Console.WriteLine("| state | VmRSS MiB |");
        Console.WriteLine("|---|---|");
        Row("modules compiled, no pool", rssStart);
        Row($"{count} routes deployed (scaled to zero)", rssDeployed);
        Row($"{count * routesPerModule} routes deployed (scaled to zero)", rssAllRoutes);
        Row($"after one request to each of {count} functions", rssCalled);
        Row($"idle again ({stats.ModulesLoaded} modules in memory, {stats.ModuleBytes / 1048576.0:F0} MiB of artifacts; {stats.ModuleEvictions} left for disk)", rssIdle);
        Console.WriteLine();
        Console.WriteLine("| first request to an idle function | functions | p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|");
        Latency("module in memory (first deploy)", inMemory);
        Latency("module in memory (idle again)", resident);
        Latency("module dropped to disk", onDisk);
        foreach (var pool in others.Concat(pools))
        {
            pool.Dispose();
        }
    }

    private static double FirstRequest(FunctionPool pool)
    {
        var started = Stopwatch.GetTimestamp();
        Workload.Check(pool.Invoke(Workload.Invocation), pool.Settings.Name);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>The module with a custom section appended: another digest, the same code.</summary>
    internal static byte[] Distinct(byte[] wasm, int index) =>
        Functions.Testing.WasmBinary.WithCustomSection(wasm, "functions-density",
            Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture)));

    private static void Row(string state, long kib) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {state} | {kib / 1024.0:F0} |"));

    private static void Latency(string what, List<double> samples)
    {
        if (samples.Count == 0)
        {
            Console.WriteLine($"| {what} | 0 | – | – | – |");
            return;
        }

        samples.Sort();
        double At(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {samples.Count} | {At(0.5):F2} | {At(0.99):F2} | {samples[^1]:F2} |"));
    }

    private static long Settle() => MemoryProbe.Settle();
}
