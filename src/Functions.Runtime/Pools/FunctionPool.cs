using System.Collections.Concurrent;
using Functions.Runtime.Execution;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime;

/// <summary>
/// One function's instances, instantiated ahead of demand. Each serves exactly one invocation and is then deleted;
/// a background refill keeps <see cref="FunctionSettings.ReadyInstances"/> ready while the function is in use, and an
/// idle function shrinks to none. An empty pool instantiates on demand instead of making the request wait.
/// </summary>
public sealed partial class FunctionPool : IDisposable, IInvocationTarget
{
    private readonly ConcurrentQueue<PreparedInstance> _ready = new();
    private readonly FunctionPlan _plan;
    private readonly InstanceFactory _factory;
    private readonly ExecutionThreads _threads;
    private readonly InlineRuns _inline;
    private readonly Refiller _refiller;
    private readonly ScratchPool _scratches;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _target;
    private readonly int _reserve;
    private readonly int _lowWater;
    private int _readyCount;
    private int _inFlight;
    private int _refilling;
    private int _fastRuns;
    private int _disposed;
    private long _invocations;
    private long _hits;
    private long _misses;
    private long _instantiations;
    private long _failures;
    private long _busy;
    private long _inlineRuns;
    private long _lastUsed;

    internal FunctionPool(FunctionPlan plan, int readyInstances, InstanceFactory factory, ExecutionThreads threads,
        InlineRuns inline, Refiller refiller, ScratchPool scratches, TimeProvider time, TimeSpan idleAfter, ILogger logger)
    {
        _inline = inline;
        _refiller = refiller;
        _scratches = scratches;
        _plan = plan;
        _target = readyInstances;
        _factory = factory;
        _threads = threads;
        _time = time;
        _logger = logger;
        IdleAfter = idleAfter;
        _lastUsed = time.GetTimestamp();

        // Prewarming leaves a quarter of the allocator's slots to on-demand instantiation, so ready instances of
        // many functions cannot take every slot from running ones.
        _reserve = factory.Counter.Capacity / 4;
        // Refill in batches of half the target: one wake-up of the refill thread per few invocations, not per one.
        _lowWater = _target - Math.Max(1, _target / 2);

        // One instance now, on the caller's thread: a module that cannot be instantiated (a start section that
        // traps, an initial memory over the limit) fails the deployment here, not its first request.
        var first = _factory.TryCreate(plan) ?? throw new InvalidOperationException(
            $"{plan.Name}: every instance slot of the runtime is in use (Runtime:PoolingTotalInstances = " +
            $"{factory.Counter.Capacity}); raise it or lower the ready instances of other functions.");
        _instantiations++;
        if (_target > 0)
        {
            Add(first);
            RequestRefill();
        }
        else
        {
            first.Dispose();
        }
    }

    public FunctionSettings Settings => _plan.Settings;

    public string ModuleDigest => _plan.Module.Digest;

    public CompiledModule Module => _plan.Module;

    public PoolStats Stats => new(
        Volatile.Read(ref _readyCount), _target, Volatile.Read(ref _inFlight), Interlocked.Read(ref _invocations),
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _instantiations),
        Interlocked.Read(ref _failures), Interlocked.Read(ref _busy), Interlocked.Read(ref _inlineRuns));

    internal TimeSpan IdleAfter { get; }

    /// <summary>
    /// Runs the entrypoint once on an execution thread; completes when the run ends. Past the function's
    /// concurrency limit (or with no instance slot free) it answers <see cref="InvocationOutcome.Busy"/> at once
    /// instead of queueing. Cancelling stops a waiting or running invocation within one epoch tick and throws
    /// <see cref="OperationCanceledException"/>. A function whose recent runs were all short may instead run on the
    /// calling thread (<see cref="RuntimeOptions.InlineRunThreshold"/>, <see cref="RuntimeOptions.InlineRuns"/>): the
    /// task is then already complete when this returns.
    /// </summary>
    public ValueTask<InvocationResult> InvokeAsync(Invocation invocation, CancellationToken cancellationToken = default)
    {
        if (Admit(invocation) is { } busy)
        {
            return ValueTask.FromResult(busy);
        }

        if (_inline.Enabled && Volatile.Read(ref _fastRuns) >= InlineRuns.FastRunsRequired && _inline.TryEnter())
        {
            Interlocked.Increment(ref _inlineRuns);
            try
            {
                return ValueTask.FromResult(RunHere(invocation, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<InvocationResult>(cancellationToken);
            }
            catch (Exception error)
            {
                return ValueTask.FromException<InvocationResult>(error);
            }
            finally
            {
                _inline.Exit();
            }
        }

        var work = new InvocationWork(this, invocation, cancellationToken);
        try
        {
            _threads.Post(work);
        }
        catch (ObjectDisposedException)
        {
            Interlocked.Decrement(ref _inFlight);
            throw;
        }

        return new ValueTask<InvocationResult>(work.Completion);
    }

    /// <summary>
    /// Runs the entrypoint once on the calling thread, which it blocks for as long as the module runs (up to the
    /// timeout). For callers that own their threads (benchmarks, tools); servers use <see cref="InvokeAsync"/>, which
    /// keeps slow functions off the thread pool. Same admission control and outcomes.
    /// </summary>
    public InvocationResult Invoke(Invocation invocation, CancellationToken cancellationToken = default) =>
        Admit(invocation) is { } busy ? busy : RunHere(invocation, cancellationToken);

    /// <summary>An admitted invocation, run on this thread with a borrowed scratch state.</summary>
    private InvocationResult RunHere(Invocation invocation, CancellationToken cancellationToken)
    {
        var scratch = _scratches.Rent();
        PreparedInstance? used = null;
        try
        {
            return ((IInvocationTarget)this).Run(invocation, scratch, System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken, out used);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            used?.Dispose();
            _scratches.Return(scratch);
        }
    }

    /// <summary>Null when the invocation may run (and is now counted in flight), else the Busy answer.</summary>
    private InvocationResult? Admit(Invocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Increment(ref _inFlight) > Settings.MaxConcurrency)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _busy);
            return InvocationResult.NotRun(InvocationOutcome.Busy,
                $"{Settings.Name} is at its concurrency limit of {Settings.MaxConcurrency}");
        }

        Interlocked.Increment(ref _invocations);
        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
        return null;
    }

    InvocationResult IInvocationTarget.Run(Invocation invocation, ThreadScratch scratch, long started, CancellationToken cancellationToken,
        out PreparedInstance? used)
    {
        used = null;
        var hit = false;
        if (_ready.TryDequeue(out var prepared))
        {
            hit = true;
            Interlocked.Decrement(ref _readyCount);
            Interlocked.Increment(ref _hits);
            RequestRefill();
        }
        else
        {
            Interlocked.Increment(ref _misses);
            try
            {
                prepared = _factory.TryCreate(_plan);
            }
            catch (Exception error) when (error is InstantiationException or EntrypointMissingException)
            {
                Interlocked.Increment(ref _failures);
                using (_logger.BeginScope(invocation.LogTag ?? invocation.RequestId ?? ""))
                {
                    LogInstantiationFailed(Settings.Name, invocation.RequestId, error.Message);
                }

                return InvocationResult.NotRun(
                    error is EntrypointMissingException ? InvocationOutcome.EntrypointMissing : InvocationOutcome.Trapped,
                    error.Message);
            }

            if (prepared is null)
            {
                Interlocked.Increment(ref _busy);
                using (_logger.BeginScope(invocation.LogTag ?? invocation.RequestId ?? ""))
                {
                    LogNoSlotForRequest(Settings.Name, invocation.RequestId, _factory.Counter.Capacity);
                }

                return InvocationResult.NotRun(InvocationOutcome.Busy,
                    $"every instance slot of the runtime is in use ({_factory.Counter.Capacity})");
            }

            Interlocked.Increment(ref _instantiations);
            RequestRefill();
        }

        try
        {
            var result = Invoker.Run(prepared!, _plan, invocation, scratch, started, hit, cancellationToken);
            used = prepared;
            CountFastRun(result);
            return result;
        }
        catch
        {
            Volatile.Write(ref _fastRuns, 0);
            prepared!.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Scores the function's recent runs for <see cref="InlineRuns"/>: a completed run under the threshold adds one
    /// (up to twice what inline runs need), a slow or failed one takes away what they need. A function that turns slow
    /// loses inline runs after one or two slow runs; one run that only looked slow because its thread was preempted on a
    /// busy machine does not cost a fast function its inline runs.
    /// </summary>
    private void CountFastRun(InvocationResult result)
    {
        if (result.Outcome == InvocationOutcome.Completed && result.Elapsed < _inline.Threshold)
        {
            if (Volatile.Read(ref _fastRuns) < 2 * InlineRuns.FastRunsRequired)
            {
                Interlocked.Increment(ref _fastRuns);
            }
        }
        else
        {
            Volatile.Write(ref _fastRuns, Math.Max(0, Volatile.Read(ref _fastRuns) - InlineRuns.FastRunsRequired));
        }
    }

    void IInvocationTarget.Finished() => Interlocked.Decrement(ref _inFlight);

    TimeSpan IInvocationTarget.Timeout => Settings.Timeout;

    /// <summary>Asks the refill thread for instances unless it was asked already, the pool is full or the function is idle.</summary>
    private void RequestRefill()
    {
        if (Volatile.Read(ref _readyCount) > _lowWater || Volatile.Read(ref _disposed) != 0 || IsIdle()
            || Interlocked.CompareExchange(ref _refilling, 1, 0) != 0)
        {
            return;
        }

        _refiller.Ask(this);
    }

    /// <summary>Fills the pool to its target (on the refill thread); instantiating takes microseconds per instance.</summary>
    internal void Refill()
    {
        try
        {
            while (Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _readyCount) < _target && !IsIdle())
            {
                var prepared = _factory.TryCreate(_plan, _reserve);
                if (prepared is null)
                {
                    LogNoSlots(Settings.Name, _factory.Counter.Capacity);
                    break;
                }

                Interlocked.Increment(ref _instantiations);
                Add(prepared);
            }
        }
        catch (Exception error) when (error is InstantiationException or EntrypointMissingException)
        {
            Interlocked.Increment(ref _failures);
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

    /// <summary>Releases the ready instances of a function nobody called for a while; the next call refills.</summary>
    internal void ShrinkIfIdle()
    {
        if (IsIdle() && Volatile.Read(ref _inFlight) == 0 && Volatile.Read(ref _readyCount) > 0)
        {
            var released = Drain();
            if (released > 0)
            {
                LogShrunk(Settings.Name, released);
            }
        }
    }

    private int Drain()
    {
        var released = 0;
        while (_ready.TryDequeue(out var instance))
        {
            Interlocked.Decrement(ref _readyCount);
            instance.Dispose();
            released++;
        }

        return released;
    }

    /// <summary>Deletes the ready instances. Invocations already running finish; new ones are refused.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Drain();
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Could not refill the pool of {Function}: {Error}")]
    private partial void LogRefillFailed(string function, string error);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Pool of {Function} not refilled: the runtime's instance slots ({Capacity}) are nearly all in use")]
    private partial void LogNoSlots(string function, int capacity);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning,
        Message = "{Function}: request {RequestId} could not be given an instance: {Error}")]
    private partial void LogInstantiationFailed(string function, string? requestId, string error);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning,
        Message = "{Function}: request {RequestId} answered Busy: all {Capacity} instance slots of the runtime are in use; " +
                  "raise Runtime:PoolingTotalInstances or lower ready instances and concurrency limits")]
    private partial void LogNoSlotForRequest(string function, string? requestId, int capacity);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Pool of {Function} idle: released {Count} ready instances")]
    private partial void LogShrunk(string function, int count);
}
