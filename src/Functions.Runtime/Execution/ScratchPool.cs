using System.Collections.Concurrent;

namespace Functions.Runtime.Execution;

/// <summary>
/// Scratch states (capture files, epoch watch) lent to whoever runs an invocation: an execution thread
/// keeps one for its life, a synchronous caller borrows one per call. Returned ones are reused; all are deleted with
/// the runtime.
/// </summary>
internal sealed class ScratchPool(string directory, int maxStderrBytes) : IDisposable
{
    private readonly ConcurrentBag<ThreadScratch> _spare = [];
    private readonly ConcurrentDictionary<ThreadScratch, byte> _all = new();
    private int _next;
    private bool _disposed;

    public ThreadScratch Rent()
    {
        if (_spare.TryTake(out var scratch))
        {
            return scratch;
        }

        scratch = new ThreadScratch(directory, Interlocked.Increment(ref _next), maxStderrBytes);
        _all[scratch] = 0;
        return scratch;
    }

    public void Return(ThreadScratch scratch)
    {
        if (Volatile.Read(ref _disposed))
        {
            Delete(scratch);
            return;
        }

        _spare.Add(scratch);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_spare.TryTake(out var scratch))
        {
            Delete(scratch);
        }
    }

    private void Delete(ThreadScratch scratch)
    {
        if (_all.TryRemove(scratch, out _))
        {
            scratch.Dispose();
            scratch.DeleteFiles();
        }
    }
}
