using BenchmarkDotNet.Attributes;
using Functions.Runtime;

namespace Functions.Benchmarks;

/// <summary>
/// Two callers invoking one function at once, each awaiting its invocations one after another: the time per
/// invocation is the inverse of the throughput (ops/s = 1 s / Mean). Both callers run on the thread pool, and each
/// invocation on an execution thread: on 2 cores that is the whole machine.
/// </summary>
public class ThroughputBenchmarks
{
    private const int PerCaller = 64;
    private const int Callers = 2;
    private WasmRuntime _runtime = null!;
    private FunctionPool _pool = null!;

    [Params("hello-c", "hello-wat")]
    public string Module { get; set; } = "hello-c";

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new WasmRuntime(new RuntimeOptions());
        _pool = Workload.Pool(_runtime, Module);
        Workload.Check(_pool.Invoke(Workload.Invocation), Module);
    }

    [Benchmark(OperationsPerInvoke = Callers * PerCaller, Description = "2 callers, FunctionPool.InvokeAsync")]
    public Task TwoCallers() => Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(Caller)));

    private async Task Caller()
    {
        for (var i = 0; i < PerCaller; i++)
        {
            var result = await _pool.InvokeAsync(Workload.Invocation);
            if (result.Outcome != InvocationOutcome.Completed)
            {
                throw new InvalidOperationException($"{Module}: {result.Outcome} ({result.Detail})");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _runtime.Dispose();
    }
}
