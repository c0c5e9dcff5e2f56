using System.Collections.Concurrent;

namespace Functions.Runtime.Execution;

/// <summary>
/// The one background thread that refills every pool of a runtime. A pool that falls to its low-water mark asks for a
/// refill; the thread makes instances for each asking pool in turn, then blocks without spinning until the next ask.
/// Not the thread pool: each refill there woke a pool thread that then spun looking for more work, which cost more CPU
/// than the instantiations themselves (docs/performance.md: ≈ 40 µs of CPU per hello invocation). A pool whose
/// instantiation is slow (a long start section) only delays the refills of the others, whose requests then
/// instantiate on demand.
/// </summary>
internal sealed class Refiller : IDisposable
{
    private readonly ConcurrentQueue<FunctionPool> _asked = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly Thread _thread;
    private int _sleeping;
    private volatile bool _stopping;

    public Refiller()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "wasm-refill" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="pool"/> (which asks at most once until it has been refilled).</summary>
    public void Ask(FunctionPool pool)
    {
        _asked.Enqueue(pool);
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _wake.Set();
        }
    }

    private void Loop()
    {
        while (!_stopping)
        {
            while (_asked.TryDequeue(out var pool))
            {
                pool.Refill();
                if (_stopping)
                {
                    return;
                }
            }

            _wake.Reset();
            Interlocked.Exchange(ref _sleeping, 1);
            if (!_asked.IsEmpty || _stopping)
            {
                Volatile.Write(ref _sleeping, 0);
                continue;
            }

            _wake.Wait();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
