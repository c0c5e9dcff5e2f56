using System.Collections.Concurrent;
using System.Diagnostics;
using Functions.Data;
using Functions.Runtime;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// Tries a release's modules on the control plane before anything is stored, on a small <see cref="WasmRuntime"/>
/// configured from the workers' <c>Runtime</c> section: the same engine settings, linker and pooling limits, so what
/// it refuses no worker could run. One per process; at most <see cref="DeployCheckOptions.MaxConcurrentChecks"/>
/// requests are checked at once. It keeps, in memory only, what modules declare and what their <c>_routes</c>
/// print: both depend on the module's bytes alone.
/// </summary>
internal sealed class DeployChecker : IDisposable
{
    /// <summary>Instance slots of the checking engine at least: a check holds one at a time.</summary>
    private const int MinSlots = 16;

    /// <summary>Entries of each in-memory cache before it is emptied (they are cheap to recompute).</summary>
    private const int MaxCacheEntries = 4096;

    private readonly IConfiguration _configuration;
    private readonly DeployCheckOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, ModuleDeclarations?> _declarations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoutesExpansion> _expansions = new(StringComparer.Ordinal);
    private CheckingRuntime? _current;
    private bool _disposed;

    public DeployChecker(IConfiguration configuration, IOptions<DeployCheckOptions> options, ILoggerFactory loggers)
    {
        _configuration = configuration;
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<DeployChecker>();
        _gate = new SemaphoreSlim(_options.MaxConcurrentChecks);
    }

    public DeployCheckOptions Options => _options;

    /// <summary>
    /// Every problem that would stop a worker from serving <paramref name="routes"/> of application
    /// <paramref name="app"/>, by the JSON path of the field at fault; null when there is none. Reads the database
    /// without a transaction and holds none while modules compile or run.
    /// </summary>
    public async Task<Dictionary<string, string[]>?> CheckAsync(
        string app, IReadOnlyList<ValidatedRoute> routes, FunctionsDbContext db, CancellationToken cancel)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        CheckingRuntime? engine = null;
        DeployCheck? check = null;
        try
        {
            engine = Acquire();
            var started = Stopwatch.GetTimestamp();
            check = new DeployCheck(this, engine, app, routes, db, cancel);
            var errors = await check.RunAsync().ConfigureAwait(false);
            Log.DeployChecked(_logger, app, routes.Count, errors.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return errors.Count == 0 ? null : errors.ToDictionary();
        }
        finally
        {
            if (engine is not null)
            {
                if (check?.Abandoned is { Count: > 0 } abandoned)
                {
                    // Still running on this engine: it is released (and disposed, if retired meanwhile) once they end.
                    _ = Task.WhenAll(abandoned).ContinueWith(ended =>
                        {
                            _ = ended.Exception; // observed: their outcome no longer matters
                            check.ReleaseModules();
                            Release(engine);
                        }, CancellationToken.None,
                        TaskContinuationOptions.None, TaskScheduler.Default);
                }
                else
                {
                    check?.ReleaseModules();
                    Release(engine);
                }
            }

            _gate.Release();
        }
    }

    /// <summary>
    /// Compiles an uploaded module on the checking engine (the workers' settings) and leaves it in that engine's module
    /// cache, bounded by <see cref="DeployCheckOptions.ModuleMemoryBytes"/>: the upload inspects it from there, and the
    /// deploy that follows finds it compiled. Null when the checks are off or the workers' engine refuses the bytes
    /// (the upload then inspects them on a plain engine, and a deploy of them is refused saying why).
    /// </summary>
    public CompiledModule? TryCompile(string digest, byte[] wasm)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        var engine = Acquire();
        try
        {
            return engine.Runtime.LoadOrCompile(digest, wasm);
        }
        catch (Wasmtime.WasmtimeException)
        {
            return null;
        }
        finally
        {
            Release(engine);
        }
    }

    /// <summary>What <paramref name="digest"/> declares, read once from its bytes; null when the reader cannot tell.</summary>
    internal ModuleDeclarations? Declarations(string digest, Func<ModuleDeclarations?> read)
    {
        if (_declarations.TryGetValue(digest, out var known))
        {
            return known;
        }

        TrimIfFull(_declarations);
        return _declarations.GetOrAdd(digest, _ => read());
    }

    internal bool TryGetDeclarations(string digest, out ModuleDeclarations? declarations) =>
        _declarations.TryGetValue(digest, out declarations);

    /// <summary>
    /// The <c>_routes</c> expansion of a module bound at a route, computed once per key. A failure is kept only when
    /// <paramref name="keepFailure"/> (another application's module: not run again at every deploy); the requester's
    /// own is tried again when it retries, in case it was the machine that was slow.
    /// </summary>
    internal async Task<RoutesExpansion> ExpandAsync(
        string key, Func<Task<RoutesExpansion>> expand, bool keepFailure, CancellationToken cancel)
    {
        if (_expansions.TryGetValue(key, out var known))
        {
            return known;
        }

        var expansion = await expand().ConfigureAwait(false);
        if (!cancel.IsCancellationRequested && (expansion.Problem is null || keepFailure))
        {
            TrimIfFull(_expansions);
            _expansions[key] = expansion;
        }

        return expansion;
    }

    private static void TrimIfFull<T>(ConcurrentDictionary<string, T> cache)
    {
        if (cache.Count >= MaxCacheEntries)
        {
            cache.Clear();
        }
    }

    private CheckingRuntime Acquire()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _current ??= new CheckingRuntime(CreateRuntime(), _options.MaxLoadedModules);
            _current.Users++;
            return _current;
        }
    }

    private void Release(CheckingRuntime engine)
    {
        lock (_lock)
        {
            engine.Users--;
            if (engine.Retired && engine.Users == 0)
            {
                engine.Dispose();
            }
        }
    }

    private static void Retire(CheckingRuntime engine)
    {
        engine.Retired = true;
        if (engine.Users == 0)
        {
            engine.Dispose();
        }
    }

    private WasmRuntime CreateRuntime()
    {
        // The workers' section, so that the engine settings and limits are theirs; then what a checker needs: a few
        // slots, no disk cache (its artifacts hold native code, and are the workers' to keep), one thread.
        var runtime = _configuration.GetSection(RuntimeOptions.Section).Get<RuntimeOptions>() ?? new RuntimeOptions();
        runtime.CacheDirectory = null;
        runtime.ModuleMemoryBytes = _options.ModuleMemoryBytes;
        runtime.PoolingTotalInstances = Math.Max(MinSlots, 2 * _options.MaxConcurrentChecks);
        runtime.DefaultReadyInstances = 0;
        runtime.ExecutionThreads = 1;
        runtime.MaxExecutionThreads = Math.Max(runtime.ExecutionThreads, _options.MaxConcurrentChecks);
        runtime.InlineRuns = 0;
        return new WasmRuntime(runtime, _loggers);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            if (_current is { } current)
            {
                Retire(current);
                _current = null;
            }
        }

        _gate.Dispose();
    }
}

/// <summary>What a module's <c>_routes</c> declared under one binding, or why it could not tell.</summary>
internal sealed record RoutesExpansion(IReadOnlyList<Functions.Wagi.DynamicRoute> Routes, string? Problem)
{
    public static RoutesExpansion Failed(string problem) => new([], problem);
}
