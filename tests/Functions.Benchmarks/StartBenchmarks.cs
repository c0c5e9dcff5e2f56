using BenchmarkDotNet.Attributes;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// What the disk cache saves a restarting worker on a large module (<c>big</c>, ~1.1 MB of Rust): a new runtime that
/// compiles the module, against a new runtime that loads the compiled artifact from its cache folder; then each of
/// them followed by the module's first invocation (the same work on both paths: instantiating <c>big</c> and running
/// its <c>_start</c>, ≈ 1–3 ms). Compiling alone is measured too. Each operation is one start: the runtime is disposed
/// (and its engine released) outside the measurement.
/// </summary>
[IterationCount(15)]
public class StartBenchmarks
{
    private const string Module = "big";
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000b19";
    private byte[] _bytes = null!;
    private DirectoryInfo _cache = null!;
    private WasmRuntime? _runtime;
    private WasmRuntime _compiler = null!;
    private int _compiles;

    [GlobalSetup]
    public void Setup()
    {
        _bytes = Workload.Module(Module);
        _cache = Directory.CreateTempSubdirectory("functions-bench-cache-");
        using var writer = new WasmRuntime(Options(_cache.FullName));
        writer.LoadOrCompile(Digest, _bytes);
        _compiler = new WasmRuntime(Options(null));
    }

    [IterationCleanup]
    public void ReleaseRuntime()
    {
        _runtime?.Dispose();
        _runtime = null;

        // Modules keep their engine (and its pooling allocator's address-space reservation) until finalized.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Benchmark(Description = "compile big (LoadOrCompile, no cache)")]
    public CompiledModule Compile() =>
        _compiler.LoadOrCompile($"sha256:{Interlocked.Increment(ref _compiles):x64}", _bytes);

    [Benchmark(Baseline = true, Description = "cold start: new runtime + compile")]
    public CompiledModule ColdStart()
    {
        _runtime = new WasmRuntime(Options(null));
        return _runtime.LoadOrCompile(Digest, _bytes);
    }

    [Benchmark(Description = "warm start: new runtime + TryLoadCached")]
    public CompiledModule WarmStart()
    {
        _runtime = new WasmRuntime(Options(_cache.FullName));
        return LoadCached(_runtime);
    }

    [Benchmark(Description = "cold start + first invocation")]
    public InvocationResult ColdStartAndRun()
    {
        _runtime = new WasmRuntime(Options(null));
        return FirstInvocation(_runtime, _runtime.LoadOrCompile(Digest, _bytes));
    }

    [Benchmark(Description = "warm start + first invocation")]
    public InvocationResult WarmStartAndRun()
    {
        _runtime = new WasmRuntime(Options(_cache.FullName));
        return FirstInvocation(_runtime, LoadCached(_runtime));
    }

    private static CompiledModule LoadCached(WasmRuntime runtime) =>
        runtime.TryLoadCached(Digest, out var module) ? module!
            : throw new InvalidOperationException("the artifact written in setup was not found in the disk cache");

    [GlobalCleanup]
    public void Cleanup()
    {
        _compiler.Dispose();
        _cache.Delete(recursive: true);
    }

    private static RuntimeOptions Options(string? cache) => new() { CacheDirectory = cache };

    private static InvocationResult FirstInvocation(WasmRuntime runtime, CompiledModule module) =>
        Workload.Check(runtime.RunOnceAsync(module, new FunctionSettings { Name = Module }, Workload.Invocation).GetAwaiter().GetResult(),
            "first invocation");
}
