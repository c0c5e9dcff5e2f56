using BenchmarkDotNet.Attributes;
using Functions.Runtime.Execution;

namespace Functions.Benchmarks;

/// <summary>
/// The hand-off alone: posting an item that does nothing to an execution thread and awaiting its completion (a
/// TaskCompletionSource completed on that thread, continuations inline as in <c>InvocationWork</c>), against the
/// same round trip through the .NET thread pool (<c>Task.Run</c>).
/// </summary>
public class HandOffBenchmarks
{
    private const int Batch = 32;
    private ScratchPool _scratches = null!;
    private ExecutionThreads _threads = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scratches = new ScratchPool(1024);
        _threads = new ExecutionThreads(_scratches, 4, 64, TimeSpan.FromMinutes(1), 8 * 1024 * 1024);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "Task.Run round trip (thread pool)")]
    public async Task<int> ThreadPool()
    {
        var sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            sum += await Task.Run(static () => 1);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ExecutionThreads.Post round trip")]
    public async Task<int> ExecutionThread()
    {
        var sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            var work = new NoOp();
            _threads.Post(work);
            sum += await work.Completion;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _threads.Dispose();
        _scratches.Dispose();
    }

    private sealed class NoOp : IExecutionWork
    {
        private readonly TaskCompletionSource<int> _done = new();

        public Task<int> Completion => _done.Task;

        public void Execute(ThreadScratch scratch) => _done.TrySetResult(1);
    }
}
