using System.Security.Cryptography;
using System.Text;
using Functions.Runtime.Execution;
using Functions.Runtime.Modules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;

namespace Functions.Runtime;

/// <summary>
/// One per process: the Wasmtime engine (epoch interruption, pooling allocator), the epoch ticker that drives every
/// timeout, the compiled-module cache, and the execution threads every invocation runs on.
/// </summary>
public sealed partial class WasmRuntime : IDisposable
{
    /// <summary>The Wasmtime package this runtime was built and measured against; part of the disk cache key.</summary>
    public const string WasmtimeVersion = "50.0.1";

    private readonly RuntimeOptions _options;
    private readonly Engine _engine;
    private readonly Linker _linker;
    private readonly ModuleCache _cache;
    private readonly Invoker _invoker;
    private readonly ExecutionThreads _threads;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Thread _ticker;
    private readonly List<WeakReference<FunctionPool>> _pools = [];
    private readonly CancellationTokenSource _stopping = new();
    private long _lastShrinkCheck;

    public WasmRuntime(RuntimeOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<WasmRuntime>();

        var maxMemoryBytes = (nuint)(options.MaxMemoryMb * 1024L * 1024L);
        using var pooling = new PoolingAllocationConfig()
            .WithMaxCoreInstances((uint)options.MaxInstances)
            .WithMaxMemories((uint)options.MaxInstances)
            .WithMaxTables((uint)options.MaxInstances)
            .WithMaxMemorySize(maxMemoryBytes)
            .WithLinearMemoryKeepResidentBytes((nuint)options.LinearMemoryKeepResidentBytes);
        var config = new Config()
            .WithEpochInterruption(true)
            .WithPoolingAllocationStrategy(pooling);
        _engine = new Engine(config);
        _linker = new Linker(_engine);
        _linker.DefineWasi();

        EngineKey = KeyFor(options);
        _cache = new ModuleCache(_engine, options.CacheDirectory, EngineKey, _logger);
        _invoker = new Invoker(_engine, _linker, options);
        _threads = new ExecutionThreads(options.MinExecutionThreads, options.MaxExecutionThreads);
        _ticker = new Thread(Tick) { IsBackground = true, Name = "wasm-epoch" };
        _ticker.Start();
    }

    /// <summary>The engine settings compiled artifacts depend on, as a short key (the disk cache's folder name).</summary>
    public string EngineKey { get; }

    public RuntimeStats Stats => new(_cache.Compiles, _cache.DiskHits, _cache.CompileTime, _threads.Threads);

    /// <summary>From memory, else from the disk cache, else compiles (seconds for a large module) and caches.</summary>
    public CompiledModule LoadOrCompile(string digest, ReadOnlySpan<byte> wasm) => _cache.GetOrCompile(digest, wasm);

    /// <summary>From memory or the disk cache only; never compiles.</summary>
    public bool TryLoadCached(string digest, out CompiledModule? module) => _cache.TryGet(digest, out module);

    /// <summary>
    /// A pool for one function. Throws <see cref="EntrypointMissingException"/> when the module lacks the entrypoint and
    /// <see cref="WasmtimeException"/> when it cannot be instantiated (a missing import, a start section that traps).
    /// </summary>
    public FunctionPool CreatePool(CompiledModule module, FunctionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSettings(settings);
        var pool = new FunctionPool(module, settings, _invoker, _threads, _time, _loggers.CreateLogger<FunctionPool>())
        {
            IdleAfter = _options.IdleShrinkAfter,
        };
        lock (_pools)
        {
            _pools.RemoveAll(w => !w.TryGetTarget(out _));
            _pools.Add(new WeakReference<FunctionPool>(pool));
        }

        return pool;
    }

    /// <summary>Runs a function once on a fresh instance, without a pool: for <c>_routes</c> at deploy time and for tools.</summary>
    public Task<InvocationResult> RunOnceAsync(CompiledModule module, FunctionSettings settings, Invocation invocation)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSettings(settings);
        return _threads.RunAsync(() =>
        {
            PreparedInstance prepared;
            try
            {
                prepared = _invoker.Instantiate(module, settings);
            }
            catch (EntrypointMissingException missing)
            {
                return InvocationResult.NotRun(InvocationOutcome.EntrypointMissing, missing.Message);
            }
            catch (WasmtimeException error)
            {
                return InvocationResult.NotRun(InvocationOutcome.Trapped, error.Message);
            }

            using (prepared)
            {
                return _invoker.Run(prepared, settings, invocation);
            }
        });
    }

    private void ValidateSettings(FunctionSettings settings)
    {
        if (settings.MemoryLimitBytes > _options.MaxMemoryMb * 1024L * 1024L)
        {
            throw new ArgumentException(
                $"{settings.Name}: a memory limit of {settings.MemoryLimitBytes / (1024 * 1024)} MiB is over this runtime's " +
                $"Runtime:MaxMemoryMb of {_options.MaxMemoryMb}.", nameof(settings));
        }

        if (settings.Timeout <= TimeSpan.Zero || settings.MaxConcurrency < 1 || settings.MaxOutputBytes < 0 || settings.ReadyInstances < 0)
        {
            throw new ArgumentException($"{settings.Name}: timeout and concurrency must be positive, output limit and ready instances not negative.", nameof(settings));
        }

        foreach (var volume in settings.Volumes)
        {
            if (!Directory.Exists(volume.HostPath))
            {
                throw new DirectoryNotFoundException($"{settings.Name}: the volume {volume.GuestPath} maps {volume.HostPath}, which does not exist.");
            }
        }
    }

    private void Tick()
    {
        var tick = _options.EpochTick;
        while (!_stopping.IsCancellationRequested)
        {
            Thread.Sleep(tick);
            _engine.IncrementEpoch();
            ShrinkIdlePools();
        }
    }

    private void ShrinkIdlePools()
    {
        var now = _time.GetTimestamp();
        var interval = TimeSpan.FromTicks(Math.Max(_options.IdleShrinkAfter.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks));
        if (_time.GetElapsedTime(_lastShrinkCheck, now) < interval)
        {
            return;
        }

        _lastShrinkCheck = now;
        FunctionPool[] pools;
        lock (_pools)
        {
            pools = [.. _pools.Select(w => w.TryGetTarget(out var p) ? p : null).OfType<FunctionPool>()];
        }

        foreach (var pool in pools)
        {
            pool.ShrinkIfIdle();
        }
    }

    private static string KeyFor(RuntimeOptions options)
    {
        // Everything that changes generated code or what an artifact loads into: the Wasmtime version, the target,
        // epoch interruption (on), fuel (off), and the pooling allocator's memory reservation.
        var text = $"wasmtime={WasmtimeVersion};arch={System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture};" +
                   $"epoch=1;fuel=0;pooling=1;maxmem={options.MaxMemoryMb}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _ticker.Join(TimeSpan.FromSeconds(1));
        _threads.Dispose();
        _invoker.Dispose();
        _linker.Dispose();
        _engine.Dispose();
        _stopping.Dispose();
    }
}
