using System.Collections.Concurrent;
using Functions.Runtime.Execution;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime;

/// <summary>
/// One function's instances, instantiated ahead of demand. Each serves exactly one invocation and is then disposed;
/// a background refill keeps <see cref="FunctionSettings.ReadyInstances"/> ready while the function is in use, and an
/// idle function shrinks to none. An empty pool instantiates on demand instead of making the request wait.
/// </summary>
public sealed partial class FunctionPool : IDisposable
{
    private readonly ConcurrentQueue<PreparedInstance> _ready = new();
    private readonly CompiledModule _module;
    private readonly Invoker _invoker;
    private readonly ExecutionThreads _threads;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _readyCount;
    private int _inFlight;
    private int _refilling;
    private int _disposed;
    private long _hits;
    private long _misses;
    private long _instantiations;
    private long _busy;
    private long _lastUsed;

    internal FunctionPool(CompiledModule module, FunctionSettings settings, Invoker invoker, ExecutionThreads threads,
        TimeProvider time, ILogger logger)
    {
        _module = module;
        Settings = settings;
        _invoker = invoker;
        _threads = threads;
        _time = time;
        _logger = logger;
        _lastUsed = time.GetTimestamp();

        // One instance now, on the caller's thread: a module that cannot be instantiated (a missing import, a start
        // section that traps) fails the deployment here, not the first request.
        Add(_invoker.Instantiate(module, settings));
        Interlocked.Increment(ref _instantiations);
        RequestRefill();
    }

    public FunctionSettings Settings { get; }

    public string ModuleDigest => _module.Digest;

    public PoolStats Stats => new(Volatile.Read(ref _readyCount), Volatile.Read(ref _inFlight), Interlocked.Read(ref _hits),
        Interlocked.Read(ref _misses), Interlocked.Read(ref _instantiations), Interlocked.Read(ref _busy));

    /// <summary>
    /// Runs the entrypoint once for <paramref name="invocation"/> on an execution thread. Past the function's concurrency
    /// limit it answers <see cref="InvocationOutcome.Busy"/> at once rather than queueing.
    /// </summary>
    public async ValueTask<InvocationResult> InvokeAsync(Invocation invocation, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Increment(ref _inFlight) > Settings.MaxConcurrency)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _busy);
            return InvocationResult.NotRun(InvocationOutcome.Busy,
                $"{Settings.Name} is at its concurrency limit of {Settings.MaxConcurrency}");
        }

        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
        try
        {
            return await _threads.RunAsync(() => RunOne(invocation)).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            RequestRefill();
        }
    }

    private InvocationResult RunOne(Invocation invocation)
    {
        PreparedInstance prepared;
        if (_ready.TryDequeue(out var ready))
        {
            Interlocked.Decrement(ref _readyCount);
            Interlocked.Increment(ref _hits);
            prepared = ready;
        }
        else
        {
            Interlocked.Increment(ref _misses);
            try
            {
                prepared = _invoker.Instantiate(_module, Settings);
                Interlocked.Increment(ref _instantiations);
            }
            catch (Exception error) when (error is Wasmtime.WasmtimeException or EntrypointMissingException)
            {
                return InvocationResult.NotRun(
                    error is EntrypointMissingException ? InvocationOutcome.EntrypointMissing : InvocationOutcome.Trapped,
                    error.Message);
            }
        }

        using (prepared)
        {
            return _invoker.Run(prepared, Settings, invocation);
        }
    }

    /// <summary>Starts a background refill unless one runs or the pool is full.</summary>
    private void RequestRefill()
    {
        if (Volatile.Read(ref _readyCount) >= Settings.ReadyInstances || Volatile.Read(ref _disposed) != 0
            || Interlocked.CompareExchange(ref _refilling, 1, 0) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static pool => pool.Refill(), this, preferLocal: false);
    }

    private void Refill()
    {
        try
        {
            while (Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _readyCount) < Settings.ReadyInstances && !IsIdle())
            {
                Add(_invoker.Instantiate(_module, Settings));
                Interlocked.Increment(ref _instantiations);
            }
        }
        catch (Exception error) when (error is Wasmtime.WasmtimeException or EntrypointMissingException)
        {
            LogRefillFailed(Settings.Name, error.Message);
        }
        finally
        {
            Volatile.Write(ref _refilling, 0);
        }
    }

    private void Add(PreparedInstance instance)
    {
        _ready.Enqueue(instance);
        Interlocked.Increment(ref _readyCount);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Drain();
        }
    }

    private bool IsIdle() => _time.GetElapsedTime(Volatile.Read(ref _lastUsed)) >= IdleAfter;

    internal TimeSpan IdleAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Releases the ready instances of a function nobody called for a while; the next call refills.</summary>
    internal void ShrinkIfIdle()
    {
        if (IsIdle() && Volatile.Read(ref _inFlight) == 0)
        {
            Drain();
        }
    }

    private void Drain()
    {
        while (_ready.TryDequeue(out var instance))
        {
            Interlocked.Decrement(ref _readyCount);
            instance.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Drain();
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Could not refill the pool of {Function}: {Error}")]
    private partial void LogRefillFailed(string function, string error);
}
