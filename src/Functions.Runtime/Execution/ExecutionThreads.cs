namespace Functions.Runtime.Execution;

/// <summary>
/// Threads that run WebAssembly and nothing else. An invocation is a synchronous native call that holds its thread as
/// long as the module runs; on the .NET thread pool a few slow functions would starve every other request of the
/// process. Here each posted item goes straight to an idle thread, or to a new one while under the ceiling, so an
/// invocation never waits behind another (admission control bounds how many there are). Only at the ceiling do items
/// queue. Threads beyond the floor retire after an idle timeout.
/// </summary>
internal sealed class ExecutionThreads : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<Worker> _idle = new();
    private readonly Queue<IExecutionWork> _overflow = new();
    private readonly List<Worker> _all = [];
    private readonly ScratchPool _scratches;
    private readonly int _min;
    private readonly int _max;
    private readonly TimeSpan _idleTimeout;
    private readonly int _stackBytes;
    private int _threads;
    private int _nextId;
    private bool _disposed;

    public ExecutionThreads(ScratchPool scratches, int min, int max, TimeSpan idleTimeout, int stackBytes)
    {
        _scratches = scratches;
        _min = min;
        _max = max;
        _idleTimeout = idleTimeout;
        _stackBytes = stackBytes;
    }

    public int Threads => Volatile.Read(ref _threads);

    public void Post(IExecutionWork work)
    {
        Worker? idle = null;
        var start = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out idle))
            {
                idle.Assigned = work;
            }
            else if (_threads < _max)
            {
                _threads++;
                start = true;
            }
            else
            {
                _overflow.Enqueue(work);
            }
        }

        if (idle is not null)
        {
            idle.Signal.Set();
        }
        else if (start)
        {
            var worker = new Worker(this, Interlocked.Increment(ref _nextId)) { Assigned = work };
            lock (_lock)
            {
                _all.Add(worker);
            }

            new Thread(worker.Loop, _stackBytes) { IsBackground = true, Name = $"wasm-exec-{worker.Id}" }.Start();
        }
    }

    /// <summary>The next item for <paramref name="worker"/> (null: retire). Waits idle when there is none.</summary>
    private IExecutionWork? Next(Worker worker)
    {
        lock (_lock)
        {
            if (_overflow.TryDequeue(out var queued))
            {
                return queued;
            }

            if (_disposed)
            {
                _threads--;
                _all.Remove(worker);
                return null;
            }

            worker.Signal.Reset();
            _idle.Push(worker);
        }

        while (true)
        {
            var signalled = worker.Signal.Wait(_idleTimeout);
            lock (_lock)
            {
                if (worker.Assigned is { } work)
                {
                    worker.Assigned = null;
                    return work;
                }

                if (_disposed || (!signalled && _threads > _min))
                {
                    RemoveIdle(worker);
                    _threads--;
                    _all.Remove(worker);
                    return null;
                }
            }
        }
    }

    private void RemoveIdle(Worker worker)
    {
        if (!_idle.Contains(worker))
        {
            return;
        }

        var others = _idle.Where(w => w != worker).Reverse().ToList();
        _idle.Clear();
        foreach (var other in others)
        {
            _idle.Push(other);
        }
    }

    /// <summary>Answers the callers of runs stuck past their timeout (see <see cref="InvocationWork.Overdue"/>).</summary>
    public void CheckOverdue(long now)
    {
        lock (_lock)
        {
            foreach (var worker in _all)
            {
                if (worker.Current is { } work && work.OverdueAt is var at and > 0 && now > at)
                {
                    work.Overdue();
                }
            }
        }
    }

    public void Dispose()
    {
        Worker[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
        }

        foreach (var worker in idle)
        {
            worker.Signal.Set();
        }
    }

    private sealed class Worker(ExecutionThreads owner, int id)
    {
        public int Id { get; } = id;

        // No spinning before an idle thread blocks: spinning (sched_yield) took 15 % of a busy worker's CPU in the
        // HTTP benchmark, CPU the requests needed (docs/performance.md).
        public ManualResetEventSlim Signal { get; } = new(false, spinCount: 0);

        public IExecutionWork? Assigned { get; set; }

        /// <summary>The invocation this thread runs, for the overdue check.</summary>
        public volatile InvocationWork? Current;

        public void Loop()
        {
            var scratch = owner._scratches.Rent();
            try
            {
                var work = Assigned;
                Assigned = null;
                while (work is not null)
                {
                    Current = work as InvocationWork;
                    work.Execute(scratch);
                    Current = null;
                    work = owner.Next(this);
                }
            }
            finally
            {
                owner._scratches.Return(scratch);
            }
        }
    }
}
