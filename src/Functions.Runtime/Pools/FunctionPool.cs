using System.Collections.Concurrent;
using Functions.Runtime.Execution;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime;

/// <summary>
/// One function's instances. Each serves exactly one invocation and is then deleted. A pool scales with measured
/// demand: it starts with none ready and no module loaded (scale to zero), instantiates on demand at its first request,
/// raises its ready target when requests find no ready instance (up to <see cref="FunctionSettings.ReadyInstances"/>),
/// lowers it towards the peak concurrency of a <see cref="RuntimeOptions.ScaleInterval"/> that saw fewer requests than
/// it keeps ready, and after
/// <see cref="RuntimeOptions.IdleShrinkAfter"/> without a request it releases every ready instance and its use of the
/// compiled module, which the module cache may then drop from memory (the next request loads it again).
/// </summary>
public sealed partial class FunctionPool : IDisposable, IInvocationTarget
{
    /// <summary>The bit of <see cref="_inFlight"/> that refuses admissions: the pool is retired or disposed.</summary>
    private const int Closed = 1 << 30;

    private readonly ConcurrentQueue<PreparedInstance> _ready = new();
    private readonly WasmRuntime _runtime;
    private readonly FunctionSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxReady;
    private readonly Lock _planLock = new();
    private readonly List<FunctionPlan> _retired = [];
    private CompiledModule _module;
    private FunctionPlan? _plan;
    private int _target;
    private int _readyCount;
    private int _inFlight; // admitted and not yet ended, plus Closed once retired or disposed
    private int _peak;
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
    private long _invocationsAtLastScale; // read and written by the scaling pass only

    /// <summary>Takes over <paramref name="plan"/>'s use of its module; makes one trial instance when a slot is free.</summary>
    internal FunctionPool(WasmRuntime runtime, FunctionPlan plan, int maxReady)
    {
        _runtime = runtime;
        _settings = plan.Settings;
        _module = plan.Module;
        _time = runtime.Time;
        _logger = runtime.PoolLogger;
        _maxReady = maxReady;
        IdleAfter = runtime.Options.IdleShrinkAfter;

        // Idle from the start: nothing is kept ready until requests come.
        _lastUsed = _time.GetTimestamp() - (long)(IdleAfter.TotalSeconds * _time.TimestampFrequency) - 1;

        // One instance now, on the caller's thread: a module that cannot be instantiated (a start section that traps,
        // an initial memory over the limit) fails here, at deploy, not at its first request. Without a free slot the
        // trial is skipped: deploying never waits for, or fails on, instance slots.
        try
        {
            using var trial = runtime.Factory.TryCreate(plan);
            if (trial is not null)
            {
                _instantiations++;
            }
        }
        finally
        {
            plan.Module.Release();
        }
    }

    public FunctionSettings Settings => _settings;

    public string ModuleDigest => _module.Digest;

    public CompiledModule Module => Volatile.Read(ref _module);

    public PoolStats Stats => new(
        Volatile.Read(ref _readyCount), Volatile.Read(ref _target), InFlight, Interlocked.Read(ref _invocations),
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _instantiations),
        Interlocked.Read(ref _failures), Interlocked.Read(ref _busy), Interlocked.Read(ref _inlineRuns))
    {
        MaxReady = _maxReady,
        ModuleLoaded = Volatile.Read(ref _plan) is not null,
    };

    internal TimeSpan IdleAfter { get; }

    /// <summary>
    /// Runs the entrypoint once; completes when the run ends. Past the function's concurrency limit it answers
    /// <see cref="InvocationOutcome.Busy"/> at once instead of queueing, as it does when every instance slot of the
    /// runtime is in use. Cancelling stops a waiting or running invocation within one epoch tick and throws
    /// <see cref="OperationCanceledException"/>. A function whose recent runs were all short may run on the calling
    /// thread (<see cref="RuntimeOptions.InlineRunThreshold"/>): the task is then already complete when this returns.
    /// </summary>
    public ValueTask<InvocationResult> InvokeAsync(Invocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return Admit() is { } lease
            ? _runtime.Scheduler.Dispatch(lease, invocation, cancellationToken)
            : ValueTask.FromResult(BusyAtLimit());
    }

    /// <summary>
    /// Runs an invocation admitted before by <see cref="TryAdmit"/> (a server admits a request when it matches the
    /// route, before it reads the body); the run gives <paramref name="lease"/> back when it ends.
    /// </summary>
    public ValueTask<InvocationResult> InvokeAsync(InvocationLease lease, Invocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(invocation);
        if (!ReferenceEquals(lease.Target, this) || !lease.IsHeld)
        {
            throw new ArgumentException("The lease was not taken from this pool, or was already used.", nameof(lease));
        }

        return _runtime.Scheduler.Dispatch(lease, invocation, cancellationToken);
    }

    /// <summary>
    /// Runs the entrypoint once on the calling thread, which it blocks for as long as the module runs (up to the
    /// timeout). For callers that own their threads (benchmarks, tools); servers use <see cref="InvokeAsync(Invocation, CancellationToken)"/>,
    /// which keeps slow functions off the thread pool. Same admission control and outcomes.
    /// </summary>
    public InvocationResult Invoke(Invocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return Admit() is { } lease ? _runtime.Scheduler.RunHere(lease, invocation, cancellationToken) : BusyAtLimit();
    }

    /// <summary>
    /// Takes one of the function's concurrency slots for an invocation to come: <see cref="Admission.Admitted"/> with
    /// the <paramref name="lease"/> to run it with (<see cref="InvokeAsync(InvocationLease, Invocation, CancellationToken)"/>)
    /// or to dispose when it will not run; <see cref="Admission.Busy"/> at the concurrency limit;
    /// <see cref="Admission.Retired"/> once the pool was retired or disposed (the caller looks its route up again).
    /// A held lease keeps a retiring pool alive.
    /// </summary>
    public Admission TryAdmit(out InvocationLease? lease)
    {
        var seen = Volatile.Read(ref _inFlight);
        while (true)
        {
            if ((seen & Closed) != 0)
            {
                lease = null;
                return Admission.Retired;
            }

            if (seen >= _settings.MaxConcurrency)
            {
                Interlocked.Increment(ref _busy);
                lease = null;
                return Admission.Busy;
            }

            var previous = Interlocked.CompareExchange(ref _inFlight, seen + 1, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }

        if (seen + 1 > Volatile.Read(ref _peak))
        {
            RaiseTo(ref _peak, seen + 1);
        }

        Interlocked.Increment(ref _invocations);
        Volatile.Write(ref _lastUsed, _time.GetTimestamp());
        lease = new InvocationLease(this);
        return Admission.Admitted;
    }

    /// <summary>The invocation's lease when it may run (it is then counted in flight), else null.</summary>
    private InvocationLease? Admit()
    {
        var admission = TryAdmit(out var lease);
        ObjectDisposedException.ThrowIf(admission == Admission.Retired, this);
        return lease;
    }

    private InvocationResult BusyAtLimit() =>
        InvocationResult.NotRun(InvocationOutcome.Busy, $"{_settings.Name} is at its concurrency limit of {_settings.MaxConcurrency}");

    void IInvocationTarget.Release()
    {
        // The last lease of a retiring pool disposes it (off this thread: it may be the request's, or an execution thread).
        if (Interlocked.Decrement(ref _inFlight) == Closed && Volatile.Read(ref _disposed) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static pool => pool.Dispose(), this, preferLocal: false);
        }
    }

    /// <summary>
    /// Retires the pool: new admissions are refused (<see cref="Admission.Retired"/>) at once, and the pool is disposed
    /// when the last lease held is given back (at once when none is). For a pool the served routes no longer use.
    /// </summary>
    public void DisposeWhenIdle()
    {
        if ((Interlocked.Or(ref _inFlight, Closed) & ~Closed) == 0)
        {
            Dispose();
        }
    }

    /// <summary>Invocations admitted and not yet ended.</summary>
    private int InFlight => Volatile.Read(ref _inFlight) & ~Closed;

    TimeSpan IInvocationTarget.Timeout => _settings.Timeout;

    bool IInvocationTarget.MayRunInline => Volatile.Read(ref _fastRuns) >= InlineRuns.FastRunsRequired;

    void IInvocationTarget.RunsInline() => Interlocked.Increment(ref _inlineRuns);

    InvocationResult IInvocationTarget.Run(Invocation invocation, ThreadScratch scratch, long started, CancellationToken cancellationToken,
        out PreparedInstance? used)
    {
        used = null;
        if ((Volatile.Read(ref _plan) ?? LoadPlan(invocation)) is not { } plan)
        {
            Interlocked.Increment(ref _failures);
            return InvocationResult.NotRun(InvocationOutcome.Trapped,
                $"{_settings.Name}: module {_module.Digest} is no longer in this worker's module cache (memory or disk)");
        }

        var hit = false;
        if (_ready.TryDequeue(out var prepared))
        {
            hit = true;
            Interlocked.Decrement(ref _readyCount);
            Interlocked.Increment(ref _hits);
        }
        else
        {
            Interlocked.Increment(ref _misses);

            // A request that found nothing ready is the demand signal: keep at least as many ready as are in flight.
            var target = Volatile.Read(ref _target);
            if (target < _maxReady)
            {
                RaiseTo(ref _target, Math.Min(_maxReady, Math.Max(Math.Max(1, 2 * target), InFlight)));
            }

            try
            {
                prepared = _runtime.Factory.TryCreate(plan) ?? (_runtime.ReclaimReadyInstance(this) ? _runtime.Factory.TryCreate(plan) : null);
            }
            catch (Exception error) when (error is InstantiationException or EntrypointMissingException)
            {
                Interlocked.Increment(ref _failures);
                using (_logger.BeginScope(invocation.LogTag ?? invocation.RequestId ?? ""))
                {
                    LogInstantiationFailed(_settings.Name, invocation.RequestId, error.Message);
                }

                return InvocationResult.NotRun(
                    error is EntrypointMissingException ? InvocationOutcome.EntrypointMissing : InvocationOutcome.Trapped,
                    error.Message);
            }

            if (prepared is null)
            {
                Interlocked.Increment(ref _busy);
                var capacity = _runtime.Factory.Counter.Capacity;
                using (_logger.BeginScope(invocation.LogTag ?? invocation.RequestId ?? ""))
                {
                    LogNoSlotForRequest(_settings.Name, invocation.RequestId, capacity);
                }

                return InvocationResult.NotRun(InvocationOutcome.Busy,
                    $"every instance slot of this worker is in use (Runtime:PoolingTotalInstances = {capacity})");
            }

            Interlocked.Increment(ref _instantiations);
        }

        RequestRefill(force: !hit);
        try
        {
            var result = Invoker.Run(prepared, plan, invocation, scratch, started, hit, cancellationToken);
            used = prepared;
            CountFastRun(result);
            return result;
        }
        catch
        {
            Volatile.Write(ref _fastRuns, 0);
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The plan of an idle pool, made again: its module from memory, or deserialized from the disk cache when the cache
    /// dropped it. Null when the module is in neither.
    /// </summary>
    private FunctionPlan? LoadPlan(Invocation invocation)
    {
        lock (_planLock)
        {
            if (Volatile.Read(ref _plan) is { } loaded)
            {
                return loaded;
            }

            var module = Volatile.Read(ref _module);
            if (!module.TryAcquire())
            {
                if (!_runtime.TryReload(module.Digest, out var reloaded))
                {
                    using (_logger.BeginScope(invocation.LogTag ?? invocation.RequestId ?? ""))
                    {
                        LogModuleGone(_settings.Name, module.Digest, invocation.RequestId);
                    }

                    return null;
                }

                module = reloaded;
                Volatile.Write(ref _module, module);
            }

            var plan = _runtime.PlanFor(module, _settings);
            Volatile.Write(ref _plan, plan);
            return plan;
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
        if (result.Outcome == InvocationOutcome.Completed && result.Elapsed < _runtime.Scheduler.Inline.Threshold)
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

    /// <summary>
    /// Asks the refill thread for instances once half of the target is used (in batches: one wake-up per few
    /// invocations), or at once after a request found none ready, unless it was asked already.
    /// </summary>
    private void RequestRefill(bool force = false)
    {
        var target = Volatile.Read(ref _target);
        var ready = Volatile.Read(ref _readyCount);
        if ((force ? ready >= target : ready > target - Math.Max(1, target / 2)) || Volatile.Read(ref _disposed) != 0
            || Interlocked.CompareExchange(ref _refilling, 1, 0) != 0)
        {
            return;
        }

        _runtime.Scheduler.Refiller.Ask(this);
    }

    /// <summary>Fills the pool to its target (on the refill thread); instantiating takes microseconds per instance.</summary>
    internal void Refill()
    {
        try
        {
            // Read under the refill flag: an idle pool gives its plan up only while no refill runs.
            if (Volatile.Read(ref _plan) is not { } plan)
            {
                return;
            }

            while (Volatile.Read(ref _disposed) == 0 && Volatile.Read(ref _readyCount) < Volatile.Read(ref _target) && !IsIdle())
            {
                var prepared = _runtime.Factory.TryCreate(plan, _runtime.Factory.ReadyReserve);
                if (prepared is null)
                {
                    LogNoSlots(_settings.Name, _runtime.Factory.Counter.Capacity);
                    break;
                }

                Interlocked.Increment(ref _instantiations);
                Add(prepared);
            }
        }
        catch (Exception error) when (error is InstantiationException or EntrypointMissingException)
        {
            Interlocked.Increment(ref _failures);
            LogRefillFailed(_settings.Name, error.Message);
        }
        finally
        {
            Volatile.Write(ref _refilling, 0);
        }

        // A target raised while this refill was finishing found the flag set and did not ask: ask for it now.
        if (Volatile.Read(ref _readyCount) < Volatile.Read(ref _target) && !IsIdle()
            && _runtime.Factory.Counter.HasRoom(_runtime.Factory.ReadyReserve))
        {
            RequestRefill(force: true);
        }
    }

    private void Add(PreparedInstance instance)
    {
        _ready.Enqueue(instance);
        Interlocked.Increment(ref _readyCount);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Drain(0);
        }
    }

    private bool IsIdle() => _time.GetElapsedTime(Volatile.Read(ref _lastUsed)) >= IdleAfter;

    internal long LastUsed => Volatile.Read(ref _lastUsed);

    internal int ReadyCount => Volatile.Read(ref _readyCount);

    /// <summary>
    /// Scales the pool to its measured demand (the runtime calls this every <see cref="RuntimeOptions.ScaleInterval"/>,
    /// one call at a time): an idle pool releases everything; one that served fewer requests in the interval than it
    /// keeps ready lowers its target towards the interval's peak concurrency, by half at most per interval. Returns
    /// true once a disposed pool has let go of everything.
    /// </summary>
    internal bool Scale()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            Drain(0);
            return ReleaseRetiredPlans();
        }

        if (IsIdle() && InFlight == 0)
        {
            Volatile.Write(ref _target, 0);
            Volatile.Write(ref _peak, 0);
            var released = Drain(0);
            RetirePlan();
            if (released > 0)
            {
                LogShrunk(_settings.Name, released);
            }
        }
        else
        {
            // Lowered only when the interval had fewer requests than instances kept ready: at a high rate the ready
            // instances are what keeps instantiation off the request path, however few run at one instant.
            var peak = Interlocked.Exchange(ref _peak, InFlight);
            var invocations = Interlocked.Read(ref _invocations);
            var recent = invocations - _invocationsAtLastScale;
            _invocationsAtLastScale = invocations;
            var target = Volatile.Read(ref _target);
            var lowered = Math.Max(peak, target / 2);
            if (recent < target && lowered < target)
            {
                Interlocked.CompareExchange(ref _target, lowered, target);
                Drain(Volatile.Read(ref _target));
            }
        }

        ReleaseRetiredPlans();
        return false;
    }

    /// <summary>Gives one ready instance back to the runtime's slots (for another function's request); false when none.</summary>
    internal bool GiveUpOne()
    {
        if (!_ready.TryDequeue(out var instance))
        {
            return false;
        }

        Interlocked.Decrement(ref _readyCount);
        instance.Dispose();
        return true;
    }

    private void RetirePlan()
    {
        lock (_planLock)
        {
            if (Interlocked.Exchange(ref _plan, null) is { } plan)
            {
                _retired.Add(plan);
            }
        }
    }

    /// <summary>
    /// Gives up the module uses of retired plans once nothing can still be using them: the plan was unpublished first,
    /// so an invocation admitted or a refill started after that reads the new one; with none in flight and no refill
    /// running, no one holds an old one.
    /// </summary>
    private bool ReleaseRetiredPlans()
    {
        lock (_planLock)
        {
            if (_retired.Count > 0 && InFlight == 0 && Volatile.Read(ref _refilling) == 0)
            {
                foreach (var plan in _retired)
                {
                    plan.Module.Release();
                }

                _retired.Clear();
            }

            return _retired.Count == 0 && Volatile.Read(ref _plan) is null;
        }
    }

    private int Drain(int keep)
    {
        var released = 0;
        while (Volatile.Read(ref _readyCount) > keep && _ready.TryDequeue(out var instance))
        {
            Interlocked.Decrement(ref _readyCount);
            instance.Dispose();
            released++;
        }

        return released;
    }

    private static void RaiseTo(ref int location, int value)
    {
        var seen = Volatile.Read(ref location);
        while (seen < value)
        {
            var previous = Interlocked.CompareExchange(ref location, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    /// <summary>
    /// Deletes the ready instances and gives up the module (which leaves memory when no other route refers to it).
    /// Invocations already running finish; new ones are refused.
    /// </summary>
    public void Dispose()
    {
        Interlocked.Or(ref _inFlight, Closed);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Drain(0);
        RetirePlan();
        _runtime.Retire(this, ReleaseRetiredPlans());
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Could not refill the pool of {Function}: {Error}")]
    private partial void LogRefillFailed(string function, string error);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug,
        Message = "Pool of {Function} not refilled: the runtime's instance slots ({Capacity}) are nearly all in use")]
    private partial void LogNoSlots(string function, int capacity);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning,
        Message = "{Function}: request {RequestId} could not be given an instance: {Error}")]
    private partial void LogInstantiationFailed(string function, string? requestId, string error);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning,
        Message = "{Function}: request {RequestId} answered Busy: all {Capacity} instance slots of the runtime are in use; " +
                  "raise Runtime:PoolingTotalInstances or lower concurrency limits")]
    private partial void LogNoSlotForRequest(string function, string? requestId, int capacity);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Error,
        Message = "{Function}: request {RequestId} cannot run: module {ModuleDigest} is neither in memory nor in the disk cache; " +
                  "the worker reloads it at its next sync")]
    private partial void LogModuleGone(string function, string moduleDigest, string? requestId);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Pool of {Function} idle: released {Count} ready instances and its module")]
    private partial void LogShrunk(string function, int count);
}
