using BenchmarkDotNet.Attributes;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// The engine knobs against the defaults, per module (<see cref="EngineSettings"/>): explicit bounds checks with no
/// guard pages (default) or signal-based traps and guard pages; memory and tables reset by memset up to 256/64 KiB
/// (default) or given back with madvise. Each changes how many mprotect/madvise calls, each a TLB flush of every core,
/// an invocation pays, and what the module's code costs while it runs.
/// </summary>
public class EngineSettingsBenchmarks
{
    private const int Batch = 32;
    private WasmRuntime _runtime = null!;
    private FunctionPool _pool = null!;

    [Params(EngineSettings.Defaults, EngineSettings.SignalsBasedTraps, EngineSettings.NoKeepResident, EngineSettings.Earlier)]
    public string Settings { get; set; } = EngineSettings.Defaults;

    [Params("hello-wat", "hello-c", "rust-page", "big")]
    public string Module { get; set; } = "hello-c";

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new WasmRuntime(EngineSettings.Options(Settings));
        _pool = Workload.Pool(_runtime, Module);
        Workload.Check(_pool.Invoke(Workload.Invocation), Module);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "FunctionPool.InvokeAsync (awaited)")]
    public Task<int> Pool() => Workload.AwaitedInvocations(_pool, Batch);

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _runtime.Dispose();
    }
}
