using BenchmarkDotNet.Attributes;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// The pooling allocator's <c>linear_memory_keep_resident</c> (<see cref="RuntimeOptions.LinearMemoryKeepResidentBytes"/>):
/// with it, a freed instance's memory is reset with memset and stays resident; without it, the pages go back to the OS
/// and the next instance faults them in again. Which wins depends on how much memory a module touches.
/// </summary>
public class KeepResidentBenchmarks
{
    private const int Batch = 32;
    private WasmRuntime _runtime = null!;
    private FunctionPool _pool = null!;

    [Params(0L, 1024L * 1024)]
    public long KeepResident { get; set; }

    [Params("hello-c", "rust-page", "big")]
    public string Module { get; set; } = "hello-c";

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new WasmRuntime(new RuntimeOptions { LinearMemoryKeepResidentBytes = KeepResident });
        _pool = _runtime.CreatePool(_runtime.LoadOrCompile("bench:" + Module, Workload.Module(Module)),
            new FunctionSettings { Name = Module, ReadyInstances = 16 });
        Workload.Check(_pool.Invoke(Workload.Invocation), Module);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "FunctionPool.InvokeAsync (awaited)")]
    public async Task<int> Pool()
    {
        var bytes = 0;
        for (var i = 0; i < Batch; i++)
        {
            bytes += (await _pool.InvokeAsync(Workload.Invocation)).Stdout.Length;
        }

        return bytes;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _runtime.Dispose();
    }
}
