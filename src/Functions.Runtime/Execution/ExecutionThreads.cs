using System.Collections.Concurrent;

namespace Functions.Runtime.Execution;

/// <summary>
/// Threads that run WebAssembly and nothing else. An invocation is a synchronous native call that holds its thread for
/// as long as the module runs; on the .NET thread pool a few slow functions would starve every request of the process.
/// Threads start on demand up to a ceiling and retire after a minute idle, keeping a floor warm.
/// </summary>
internal sealed class ExecutionThreads : IDisposable
{
    private static readonly TimeSpan IdleRetirement = TimeSpan.FromMinutes(1);
    private readonly BlockingCollection<Action> _work = new(new ConcurrentQueue<Action>());
    private readonly int _min;
    private readonly int _max;
    private int _threads;
    private int _spare;

    public ExecutionThreads(int min, int max)
    {
        _min = min;
        _max = max;
    }

    public int Threads => Volatile.Read(ref _threads);

    /// <summary>Runs <paramref name="work"/> on an execution thread; completes when it has run.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception error)
            {
                completion.SetException(error);
            }
        });
        EnsureThread();
        return completion.Task;
    }

    /// <summary>
    /// Each queued item claims one idle thread (a "spare"); with none to claim, a new thread starts for it. So an
    /// invocation never waits behind another one while the ceiling allows a thread of its own.
    /// </summary>
    private void EnsureThread()
    {
        if (Interlocked.Decrement(ref _spare) >= 0)
        {
            return;
        }

        Interlocked.Increment(ref _spare);
        while (true)
        {
            var count = Volatile.Read(ref _threads);
            if (count >= _max)
            {
                return; // at the ceiling the work waits in the queue for the next free thread
            }

            if (Interlocked.CompareExchange(ref _threads, count + 1, count) == count)
            {
                new Thread(Loop) { IsBackground = true, Name = $"wasm-exec-{count}" }.Start();
                return;
            }
        }
    }

    private void Loop()
    {
        var claimed = true; // a new thread was started for an item already queued
        while (true)
        {
            if (!claimed)
            {
                Interlocked.Increment(ref _spare);
            }

            Action? work;
            bool taken;
            try
            {
                taken = _work.TryTake(out work, claimed ? Timeout.InfiniteTimeSpan : IdleRetirement);
            }
            catch (ObjectDisposedException)
            {
                break;
            }

            if (taken)
            {
                claimed = false;
                work!();
                continue;
            }

            if (_work.IsCompleted)
            {
                break;
            }

            // Idle for a while: retire, unless a producer already counted on this thread or it is part of the floor.
            var spare = Volatile.Read(ref _spare);
            var count = Volatile.Read(ref _threads);
            if (spare > 0 && count > _min && Interlocked.CompareExchange(ref _spare, spare - 1, spare) == spare)
            {
                Interlocked.Decrement(ref _threads);
                return;
            }

            claimed = true; // still counted as spare: wait again without adding itself twice
        }

        Interlocked.Decrement(ref _threads);
    }

    public void Dispose() => _work.CompleteAdding();
}
