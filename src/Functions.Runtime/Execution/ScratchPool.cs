using System.Collections.Concurrent;

namespace Functions.Runtime.Execution;

/// <summary>
/// Scratch states (output captures, epoch watch) lent to whoever runs an invocation: an execution thread keeps one
/// for its life, a synchronous caller borrows one per call. Returned ones are reused; all are released with the
/// runtime.
/// </summary>
internal sealed class ScratchPool(int maxStderrBytes) : IDisposable
{
    private readonly ConcurrentBag<ThreadScratch> _spare = [];
    private bool _disposed;

    public ThreadScratch Rent() => _spare.TryTake(out var scratch) ? scratch : new ThreadScratch(maxStderrBytes);

    public void Return(ThreadScratch scratch)
    {
        if (Volatile.Read(ref _disposed))
        {
            scratch.Dispose();
            return;
        }

        _spare.Add(scratch);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_spare.TryTake(out var scratch))
        {
            scratch.Dispose();
        }
    }
}
