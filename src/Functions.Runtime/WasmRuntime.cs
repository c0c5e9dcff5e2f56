using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Functions.Modules;
using Functions.Runtime.Execution;
using Functions.Runtime.Modules;
using Functions.Runtime.Native;
using Functions.Runtime.Outbound;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;

namespace Functions.Runtime;

/// <summary>
/// One per process: the Wasmtime engine (epoch interruption, pooling allocator), the epoch ticker that drives every
/// timeout, the compiled-module cache (memory and disk, both bounded), the scheduler every invocation runs through,
/// the one budget of instance slots, and the pools of functions, scaled to their demand every
/// <see cref="RuntimeOptions.ScaleInterval"/>.
/// </summary>
public sealed partial class WasmRuntime : IDisposable
{
    /// <summary>The Wasmtime package this runtime's native layer was written and measured against; part of the disk cache key.</summary>
    public const string WasmtimeVersion = "50.0.1";

    private readonly RuntimeOptions _options;
    private readonly Engine _engine;
    private readonly nint _linker;
    private readonly nint _wasiLinker;
    private readonly WasiBridge? _wasiBridge;
    private readonly OutboundCalls _outbound;
    private readonly HttpClient? _ownOutboundClient;
    private GCHandle _outboundHandle;
    private readonly ModuleCache _cache;
    private readonly SlotCounter _instances;
    private readonly InstanceFactory _factory;
    private readonly Scheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Thread _ticker;
    private readonly ITimer _scaleTimer;
    private readonly ConcurrentDictionary<FunctionPool, byte> _pools = new(ReferenceEqualityComparer.Instance);
    private volatile bool _stopping;
    private ExecutionThreads? _threadsForTicker; // set once the threads exist (the ticker starts before them)
    private int _scaling;
    private long _lastDiskSweep;
    private int _disposed;

    /// <param name="options">The runtime's options, validated here.</param>
    /// <param name="loggers">Where the runtime logs; null: nowhere.</param>
    /// <param name="time">The clock pools scale by; null: the system's.</param>
    /// <param name="outbound">
    /// What functions' <c>wasi_experimental_http</c> calls go through (the worker's pooled client, its limits, its
    /// metrics); null: a client of the runtime's own with the default <see cref="OutboundHttpOptions"/>.
    /// </param>
    public WasmRuntime(RuntimeOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null, OutboundCalls? outbound = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid runtime options: " + string.Join(" ", problems), nameof(options));
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<WasmRuntime>();
        PoolLogger = loggers.CreateLogger<FunctionPool>();
        if (outbound is null)
        {
            var defaults = new OutboundHttpOptions();
            var client = new HttpClient(OutboundNetwork.CreateHandler(defaults)) { Timeout = Timeout.InfiniteTimeSpan };
            _ownOutboundClient = client;
            outbound = new OutboundCalls(() => client, defaults);
        }

        outbound.UseLoggerIfNone(loggers.CreateLogger<OutboundCalls>());
        _outbound = outbound;

        // Before the engine reserves its address space: a cache directory another user can write is refused here.
        byte[]? cacheKey = null;
        if (options.CacheDirectory is { } cacheDirectory)
        {
            cacheKey = OperatingSystem.IsWindows()
                ? throw new PlatformNotSupportedException("The disk cache's ownership checks need Linux: leave Runtime:CacheDirectory unset.")
                : CacheKey.LoadOrCreate(cacheDirectory);
        }

        var total = (uint)options.PoolingTotalInstances;

        // No fibre stacks: they are for async calls, which this runtime never makes. Reserving the default 1 000 cost
        // one mprotect each at start-up, most of the engine's creation time (docs/performance.md).
        using var pooling = WasmtimeNative.WithMaxStacks(new PoolingAllocationConfig(), 0)
            .WithMaxCoreInstances(2 * total) // a store that writes a file also holds the write bridge's instance
            .WithMaxMemories(total)
            .WithMaxTables(total)
            .WithMaxGcHeaps(total)
            .WithMaxMemorySize((nuint)(options.MaxMemoryMbPerInstance * 1024L * 1024L))
            .WithLinearMemoryKeepResidentBytes((nuint)options.LinearMemoryKeepResidentBytes)
            .WithTableKeepResidentBytes((nuint)options.TableKeepResidentBytes);
        using var config = new Config()
            .WithEpochInterruption(true)
            .WithPoolingAllocationStrategy(pooling)
            .WithSignalsBasedTraps(options.SignalsBasedTraps)
            .WithSupportedProposals();
        if (!options.SignalsBasedTraps)
        {
            // Without guard pages nothing relies on virtual memory to trap, so a slot's memory is never re-protected.
            config.WithMemoryGuardSize(0);
        }
        _engine = new Engine(config);

        // Modules link against WASI with the runtime's own fd_write and poll_oneoff over it; the second linker keeps
        // WASI's for the writes that do not go to stdout or stderr and the polls of other descriptors.
        _linker = NewWasiLinker(_engine);
        _wasiLinker = NewWasiLinker(_engine);

        EngineKey = KeyFor(options);
        _cache = new ModuleCache(_engine, options.CacheDirectory, cacheKey, EngineKey, Link, _logger, _time,
            options.ModuleMemoryBytes, options.DiskCacheMaxBytes, options.DiskCacheGracePeriod);
        _instances = new SlotCounter(options.PoolingTotalInstances);
        _factory = new InstanceFactory(_engine, _instances);
        _ticker = new Thread(Tick) { IsBackground = true, Name = "wasm-epoch" };
        _ticker.Start();
        try
        {
            _wasiBridge = new WasiBridge(_wasiLinker,
                _cache.GetOrCompileRuntimeModule("functions-runtime-wasi-bridge", Module.ConvertText(WasiBridge.Wat)));
            StdioCapture.Define(_linker, _wasiBridge);
            PollOneoff.Define(_linker, _wasiBridge);
            _outboundHandle = GCHandle.Alloc(_outbound);
            HttpHostFunctions.Define(_linker, GCHandle.ToIntPtr(_outboundHandle));
            NativeSelfTest.Run(this, _factory, options.EpochTick);
        }
        catch
        {
            _stopping = true;
            WasmtimeNative.LinkerDelete(_linker);
            WasmtimeNative.LinkerDelete(_wasiLinker);
            _wasiBridge?.Dispose();
            _engine.Dispose();
            if (_outboundHandle.IsAllocated)
            {
                _outboundHandle.Free();
            }

            _ownOutboundClient?.Dispose();
            throw;
        }

        _scheduler = new Scheduler(options);
        Volatile.Write(ref _threadsForTicker, _scheduler.Threads);
        _lastDiskSweep = _time.GetTimestamp();
        _scaleTimer = _time.CreateTimer(static state => ((WasmRuntime)state!).ScalePools(), this, options.ScaleInterval, options.ScaleInterval);
        LogStarted(options.PoolingTotalInstances, options.MaxMemoryMbPerInstance, EngineKey);
    }

    private static nint NewWasiLinker(Engine engine)
    {
        var linker = WasmtimeNative.LinkerNew(WasmtimeNative.Pointer(engine));
        var defined = WasmtimeNative.LinkerDefineWasi(linker);
        if (defined != 0)
        {
            WasmtimeNative.LinkerDelete(linker);
            throw new InvalidOperationException("Wasmtime could not define WASI: " + WasmtimeNative.TakeErrorMessage(defined));
        }

        return linker;
    }

    /// <summary>The engine settings compiled artifacts depend on, as a short key (the disk cache's folder name).</summary>
    public string EngineKey { get; }

    public RuntimeStats Stats => new(_cache.Compiles, _cache.CompileTime, _cache.MemoryHits, _cache.DiskHits, _cache.DiskWrites,
        _cache.DiskRejected, _cache.Count, _instances.Live, _scheduler.Threads.Threads)
    {
        ModuleBytes = _cache.Bytes,
        ModuleEvictions = _cache.Evictions,
        Pools = _pools.Count,
    };

    internal RuntimeOptions Options => _options;

    internal TimeProvider Time => _time;

    internal ILogger PoolLogger { get; }

    internal InstanceFactory Factory => _factory;

    internal Scheduler Scheduler => _scheduler;

    /// <summary>
    /// The compiled module for <paramref name="digest"/>: from memory, else the disk cache, else compiled from
    /// <paramref name="wasm"/> (seconds for a large module) and written to the disk cache. The digest is only a key:
    /// the caller verifies it. Throws <see cref="WasmtimeException"/> when the bytes do not compile.
    /// </summary>
    public CompiledModule LoadOrCompile(string digest, ReadOnlySpan<byte> wasm)
    {
        ArgumentException.ThrowIfNullOrEmpty(digest);
        return _cache.GetOrCompile(digest, wasm);
    }

    /// <summary>The compiled module for <paramref name="digest"/> from memory or the disk cache only; never compiles.</summary>
    public bool TryLoadCached(string digest, out CompiledModule? module)
    {
        ArgumentException.ThrowIfNullOrEmpty(digest);
        return _cache.TryGet(digest, out module);
    }

    /// <summary>
    /// A pool for one function, scaled to zero: it holds no instance and no slot until its first request. The module is
    /// linked and instantiated once on the calling thread as a trial (skipped when no slot is free: deploying never
    /// depends on slots). Throws <see cref="EntrypointMissingException"/> (no such export, or it takes parameters),
    /// <see cref="ModuleLinkException"/> (an import that is not WASI preview1; a start section that traps) or
    /// <see cref="ArgumentException"/> (limits, volumes), each saying what to fix.
    /// </summary>
    public FunctionPool CreatePool(CompiledModule module, FunctionSettings settings)
    {
        var plan = Plan(module, settings);
        var maxReady = settings.ReadyInstances ?? Math.Min(_options.DefaultReadyInstances, _options.PoolingTotalInstances / 2);
        _cache.AddReference(plan.Module.Digest);
        FunctionPool pool;
        try
        {
            pool = new FunctionPool(this, plan, maxReady);
        }
        catch (Exception error)
        {
            _cache.RemoveReference(plan.Module.Digest);
            if (error is InstantiationException failed)
            {
                throw new ModuleLinkException(failed.Message) { StartTimedOut = failed.TimedOut };
            }

            throw;
        }

        _pools.TryAdd(pool, 0);
        return pool;
    }

    /// <summary>
    /// Runs a function once on a fresh instance, without a pool: <c>_routes</c> at deploy time, conformance suites
    /// (give a volume <c>/</c> for a preopened root). Never Busy for concurrency; a missing entrypoint is the outcome
    /// <see cref="InvocationOutcome.EntrypointMissing"/>. Throws <see cref="ModuleLinkException"/> when the module's
    /// imports are not WASI preview1 and <see cref="ArgumentException"/> for unusable settings.
    /// </summary>
    public Task<InvocationResult> RunOnceAsync(CompiledModule module, FunctionSettings settings, Invocation invocation,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        FunctionPlan plan;
        try
        {
            plan = Plan(module, settings);
        }
        catch (EntrypointMissingException missing)
        {
            return Task.FromResult(InvocationResult.NotRun(InvocationOutcome.EntrypointMissing, missing.Message));
        }

        return _scheduler.Dispatch(new InvocationLease(new OneShot(plan, _factory)), invocation, cancellationToken).AsTask();
    }

    /// <summary>A module of the runtime's own, from WebAssembly text, through the disk cache (see <see cref="ModuleCache.GetOrCompileRuntimeModule"/>).</summary>
    internal CompiledModule CompileText(string name, string wat) =>
        new(name, _cache.GetOrCompileRuntimeModule(name, Module.ConvertText(wat)), fromCache: false, Link);

    /// <summary>A validated, linked plan holding a use of its module (reloaded by digest if the cache let it go).</summary>
    private FunctionPlan Plan(CompiledModule module, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(settings);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Validate(module, settings);
        module = Acquire(module);

        try
        {
            return PlanFor(module, settings);
        }
        catch
        {
            module.Release();
            throw;
        }
    }

    /// <summary>
    /// Keeps <paramref name="module"/> (or, if the cache let it go, the same digest loaded again from the disk cache) in
    /// memory until the hold is disposed, so a caller that loads modules and uses them later (creates pools, runs
    /// <c>_routes</c>) is not overtaken by the cache's bound. Throws <see cref="InvalidOperationException"/> when the
    /// module left memory and is not on disk: compile it again (<see cref="LoadOrCompile"/>).
    /// </summary>
    public ModuleHold Hold(CompiledModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new ModuleHold(Acquire(module));
    }

    /// <summary>The module with a use taken: itself, or the digest reloaded from the disk cache if the cache let it go.</summary>
    private CompiledModule Acquire(CompiledModule module)
    {
        if (module.TryAcquire())
        {
            return module;
        }

        return TryReload(module.Digest, out var reloaded) ? reloaded
            : throw new InvalidOperationException($"Module {module.Digest} has left this runtime's module cache and is not " +
                "in its disk cache: load it again (LoadOrCompile).");
    }

    /// <summary>The plan of a module the caller holds a use of; links it on first use (a missing import fails here, with its name).</summary>
    internal FunctionPlan PlanFor(CompiledModule module, FunctionSettings settings)
    {
        _ = module.InstancePre;
        return new FunctionPlan(module, settings, _options.EpochTick, _options.InstantiationTimeout);
    }

    /// <summary>The module of <paramref name="digest"/> from memory or the disk cache, with a use taken; false when it is in neither.</summary>
    internal bool TryReload(string digest, out CompiledModule module)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (!_cache.TryGet(digest, out var loaded) || loaded is null)
            {
                break;
            }

            if (loaded.TryAcquire())
            {
                module = loaded;
                return true;
            }
        }

        module = null!;
        return false;
    }

    /// <summary>
    /// Frees one instance slot for a request that found none: a ready instance of the function least recently used
    /// (other than <paramref name="asking"/>). False when no function holds a ready instance.
    /// </summary>
    internal bool ReclaimReadyInstance(FunctionPool asking)
    {
        FunctionPool? oldest = null;
        foreach (var pool in _pools.Keys)
        {
            if (pool != asking && pool.ReadyCount > 0 && (oldest is null || pool.LastUsed < oldest.LastUsed))
            {
                oldest = pool;
            }
        }

        return oldest?.GiveUpOne() ?? false;
    }

    /// <summary>A pool was disposed: its route no longer refers to the module; forget the pool once it let go of everything.</summary>
    internal void Retire(FunctionPool pool, bool released)
    {
        _cache.RemoveReference(pool.ModuleDigest);
        if (released)
        {
            _pools.TryRemove(pool, out _);
        }
    }

    private void Validate(CompiledModule module, FunctionSettings settings)
    {
        var name = settings.Name;
        var maxMemory = _options.MaxMemoryMbPerInstance * 1024L * 1024L;
        if (settings.MemoryLimitBytes <= 0 || settings.MemoryLimitBytes > maxMemory)
        {
            throw new ArgumentException($"{name}: the memory limit of {settings.MemoryLimitBytes} bytes must be positive and at " +
                $"most this runtime's Runtime:MaxMemoryMbPerInstance ({_options.MaxMemoryMbPerInstance} MiB).", nameof(settings));
        }

        if (settings.Timeout <= TimeSpan.Zero || settings.Timeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentException($"{name}: the timeout {settings.Timeout} must be positive and at most a day.", nameof(settings));
        }

        if (settings.MaxConcurrency < 1 || settings.MaxOutputBytes < 0 || settings.MaxOutputBytes > int.MaxValue - 64)
        {
            throw new ArgumentException($"{name}: max concurrency must be at least 1 and the output limit between 0 and 2 GiB " +
                $"(got {settings.MaxConcurrency} and {settings.MaxOutputBytes}).", nameof(settings));
        }

        if (settings.ReadyInstances is < 0 || settings.ReadyInstances > _options.PoolingTotalInstances / 2)
        {
            throw new ArgumentException($"{name}: {settings.ReadyInstances} ready instances is not between 0 and half of " +
                $"Runtime:PoolingTotalInstances ({_options.PoolingTotalInstances}).", nameof(settings));
        }

        if (settings.Outbound.MaxConcurrency is < 1 or > 10_000)
        {
            throw new ArgumentException($"{name}: the outbound concurrency {settings.Outbound.MaxConcurrency} must be between 1 and 10000.",
                nameof(settings));
        }

        foreach (var volume in settings.Volumes)
        {
            if (!volume.GuestPath.StartsWith('/') || !Path.IsPathFullyQualified(volume.HostPath))
            {
                throw new ArgumentException($"{name}: the volume {volume.GuestPath} → {volume.HostPath} needs an absolute guest " +
                    "path (e.g. /data) and an absolute host path.", nameof(settings));
            }

            if (!Directory.Exists(volume.HostPath))
            {
                throw new ArgumentException($"{name}: the volume {volume.GuestPath} maps the host directory {volume.HostPath}, " +
                    "which does not exist; create it or fix the path.", nameof(settings));
            }
        }

        if (!module.Functions.TryGetValue(settings.Entrypoint, out var signature))
        {
            throw new EntrypointMissingException(module.Digest, settings.Entrypoint, module.Exports);
        }

        if (signature is not (0, 0))
        {
            throw new EntrypointMissingException(settings.Entrypoint,
                $"Module {module.Digest} exports '{settings.Entrypoint}', but it takes {signature.Parameters} parameter(s) and " +
                $"returns {signature.Results} result(s); an entrypoint takes none and returns none. Entrypoints it has: " +
                $"{(module.Exports.Count == 0 ? "none" : string.Join(", ", module.Exports))}.");
        }
    }

    private InstancePreHandle Link(Module module)
    {
        var error = WasmtimeNative.LinkerInstantiatePre(_linker, WasmtimeNative.Pointer(module), out var instancePre);
        GC.KeepAlive(module);
        if (error != 0)
        {
            throw new ModuleLinkException(
                $"Module {module.Name} cannot run here: {InstanceFactory.FirstLine(WasmtimeNative.TakeErrorMessage(error))}. " +
                "Functions may import only WASI preview1 (wasi_snapshot_preview1); build for wasm32-wasip1 without other host imports.");
        }

        return new InstancePreHandle(instancePre);
    }

    private void Tick()
    {
        var tick = _options.EpochTick;
        var lastCheck = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            Thread.Sleep(tick);
            _engine.IncrementEpoch();
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (System.Diagnostics.Stopwatch.GetElapsedTime(lastCheck, now) >= TimeSpan.FromMilliseconds(50))
            {
                lastCheck = now;
                Volatile.Read(ref _threadsForTicker)?.CheckOverdue(now);
            }
        }
    }

    /// <summary>
    /// Every <see cref="RuntimeOptions.ScaleInterval"/>: each pool scales to its demand, modules no pool uses may leave
    /// memory past its bound, and now and then the disk cache is swept. One pass at a time.
    /// </summary>
    private void ScalePools()
    {
        if (Interlocked.Exchange(ref _scaling, 1) != 0)
        {
            return;
        }

        try
        {
            foreach (var pool in _pools.Keys)
            {
                if (pool.Scale())
                {
                    _pools.TryRemove(pool, out _);
                }
            }

            _cache.EvictOverBound();
            if (_time.GetElapsedTime(_lastDiskSweep) >= _options.DiskCacheSweepInterval)
            {
                _lastDiskSweep = _time.GetTimestamp();
                _cache.SweepDisk();
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogScaleFailed(error.Message);
        }
        finally
        {
            Volatile.Write(ref _scaling, 0);
        }
    }

    private static string KeyFor(RuntimeOptions options)
    {
        // Everything that changes generated code or what an artifact loads into: the Wasmtime version, the target,
        // epoch interruption (on), fuel (off), the pooling allocator's memory reservation, and whether bounds checks
        // are left to signals and guard pages.
        var text = $"wasmtime={WasmtimeVersion};os={RuntimeInformation.OSDescription.Split(' ')[0]};" +
                   $"arch={RuntimeInformation.ProcessArchitecture};epoch=1;fuel=0;pooling=1;maxmem={options.MaxMemoryMbPerInstance}" +
                   (options.SignalsBasedTraps ? ";signals=1" : ";signals=0;guard=0") + SupportedProposals.Key;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>Stops the ticker and the execution threads. Pools should be disposed first; running invocations end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _scaleTimer.Dispose();
        _stopping = true;
        _ticker.Join(TimeSpan.FromSeconds(1));
        _scheduler.Dispose();
        WasmtimeNative.LinkerDelete(_linker);
        WasmtimeNative.LinkerDelete(_wasiLinker);
        _wasiBridge?.Dispose();
        _engine.Dispose();
        if (_outboundHandle.IsAllocated)
        {
            _outboundHandle.Free();
        }

        _ownOutboundClient?.Dispose();
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Scaling pools or sweeping the disk cache failed: {Error}")]
    private partial void LogScaleFailed(string error);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information,
        Message = "Wasmtime runtime started: {Slots} instance slots of up to {MaxMemoryMb} MiB, engine key {EngineKey}")]
    private partial void LogStarted(int slots, int maxMemoryMb, string engineKey);
}
