using System.Diagnostics;
using System.Net;
using System.Text;
using Functions.Contracts;
using Functions.Runtime;
using Functions.Wagi;
using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Functions.Worker.Tracing;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Sync;

/// <summary>
/// Turns a desired state into a <see cref="ServingState"/>, one app at a time: an app whose bindings are what it
/// serves is carried over untouched; a changed app has its modules fetched (by digest, verified) and compiled, the file
/// bundles it mounts unpacked (<see cref="BundleCache"/>), its
/// <c>_routes</c> expanded and its pools created. An app that fails keeps its last good state (or none) and is
/// recorded as failed; the others are applied all the same. All of it off the request path.
/// </summary>
public sealed partial class StateBuilder(
    WasmRuntime runtime,
    WorkerBudgets budgets,
    ControlPlaneClient controlPlane,
    BundleCache bundles,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> options,
    ILogger<StateBuilder> logger)
{
    /// <summary>
    /// Builds the next state. Apps that failed with the same bindings before are not rebuilt unless
    /// <paramref name="retryFailed"/>. Throws only when the control plane cannot be reached (nothing is applied then).
    /// </summary>
    public async Task<ServingState> BuildAsync(DesiredState desired, ServingState current, bool retryFailed, CancellationToken cancellationToken)
    {
        var kept = new List<ServedApp>();
        var built = new List<ServedApp>();
        var failures = new Dictionary<string, FailedApp>(StringComparer.Ordinal);
        try
        {
            foreach (var group in desired.Routes.GroupBy(r => r.App, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var app = group.Key;
                var bindings = group.ToList();
                var release = bindings[0].Release;
                var fingerprint = AppBindings.Fingerprint(bindings);
                current.Apps.TryGetValue(app, out var served);
                if (served is not null && served.Release == release && served.Bindings == fingerprint)
                {
                    kept.Add(served);
                    continue;
                }

                if (!retryFailed && current.Failures.TryGetValue(app, out var failed) && failed.Bindings == fingerprint)
                {
                    failures[app] = failed;
                    AddIfServed(kept, served);
                    continue;
                }

                try
                {
                    built.Add(await BuildAppAsync(app, release, fingerprint, bindings, served, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception error) when (!IsControlPlaneFailure(error, cancellationToken))
                {
                    failures[app] = Fail(app, release, fingerprint, error.Message, served);
                    AddIfServed(kept, served);
                }
            }
        }
        catch
        {
            foreach (var app in built)
            {
                DisposeNewPools(app, current.Apps.GetValueOrDefault(app.App));
            }

            throw;
        }

        // The apps served as they were did not collide with one another in the current table: they go in first, so a
        // collision fails the app being applied, never the one already serving the route.
        var owners = new Dictionary<(bool Wildcard, string Prefix), string>();
        var apps = new Dictionary<string, ServedApp>(StringComparer.Ordinal);
        foreach (var app in kept)
        {
            Claim(app);
        }

        foreach (var app in built)
        {
            var previous = current.Apps.GetValueOrDefault(app.App);
            if (Collision(app) is { } clash)
            {
                DisposeNewPools(app, previous);
                failures[app.App] = Fail(app.App, app.Release, app.Bindings,
                    $"{clash.Route} is already served by app '{clash.Owner}' on this worker; choose another route.", previous);
                if (previous is not null && Collision(previous) is null)
                {
                    Claim(previous);
                }

                continue;
            }

            Claim(app);
        }

        return new ServingState(desired.Generation, apps, failures);

        void Claim(ServedApp app)
        {
            foreach (var (pattern, _) in app.Routes)
            {
                owners[(pattern.IsWildcard, pattern.Prefix)] = app.App;
            }

            apps[app.App] = app;
        }

        (string Route, string Owner)? Collision(ServedApp app)
        {
            foreach (var (pattern, _) in app.Routes)
            {
                if (owners.TryGetValue((pattern.IsWildcard, pattern.Prefix), out var owner))
                {
                    return (pattern.Text, owner);
                }
            }

            return null;
        }
    }

    /// <summary>Builds one app, reusing the pools of <paramref name="served"/> that it still needs; throws on failure
    /// after disposing what it created.</summary>
    private async Task<ServedApp> BuildAppAsync(
        string app, int release, string fingerprint, IReadOnlyList<RouteBinding> bindings, ServedApp? served, CancellationToken cancellationToken)
    {
        VolumeGuard.Check(bindings, options.Value.VolumesRoot);

        // File bundles are the worker's own verified copies, not host volumes: Worker:VolumesRoot does not apply.
        foreach (var digest in bindings.SelectMany(b => b.Files ?? []).Select(f => f.Digest).Distinct(StringComparer.Ordinal))
        {
            await bundles.EnsureAsync(digest, cancellationToken).ConfigureAwait(false);
        }

        // An app of many modules loads them side by side: one's download overlaps another's compile, and a compile
        // takes a core of its own where the machine has more than the worker's one sync.
        var modules = new System.Collections.Concurrent.ConcurrentDictionary<string, CompiledModule>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(bindings.Select(r => r.ModuleDigest).Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (digest, cancel) => modules[digest] = await LoadModuleAsync(digest, cancel).ConfigureAwait(false)).ConfigureAwait(false);

        var pools = new Dictionary<PoolKey, FunctionPool>();
        var created = new List<FunctionPool>();
        try
        {
            var routes = new List<(RoutePattern, ServedRoute)>();
            var taken = new HashSet<(bool, string)>();
            foreach (var binding in bindings)
            {
                if (budgets.WhyNeverFits(binding.Route, binding.Limits) is { } tooLarge)
                {
                    throw new InvalidOperationException(tooLarge);
                }

                var pattern = RoutePattern.Parse(binding.Route);
                Add(pattern, Serve(binding, pattern.Text, binding.Entrypoint));
                if (binding.ModuleExports.Contains(DynamicRoutes.RoutesExport, StringComparer.Ordinal))
                {
                    foreach (var sub in await ExpandRoutesAsync(modules[binding.ModuleDigest], binding, pattern).ConfigureAwait(false))
                    {
                        if (!binding.ModuleExports.Contains(sub.Entrypoint, StringComparer.Ordinal))
                        {
                            throw new InvalidOperationException(
                                $"{binding.Route}: _routes names '{sub.Entrypoint}' for {sub.Pattern.Text}, which the module does not export.");
                        }

                        Add(sub.Pattern, Serve(binding, sub.Pattern.Text, sub.Entrypoint));
                    }
                }
            }

            return new ServedApp(app, release, fingerprint, routes, pools);

            void Add(RoutePattern pattern, ServedRoute route)
            {
                if (!taken.Add((pattern.IsWildcard, pattern.Prefix)))
                {
                    throw new InvalidOperationException($"Route '{pattern.Text}' is bound twice in app '{app}'; each route may be bound once.");
                }

                routes.Add((pattern, route));
            }
        }
        catch
        {
            foreach (var pool in created)
            {
                pool.Dispose();
            }

            throw;
        }

        ServedRoute Serve(RouteBinding binding, string label, string entrypoint)
        {
            var settings = Settings(binding, entrypoint, label);
            var key = PoolKey.For(binding, entrypoint, settings.Outbound);
            if (!pools.TryGetValue(key, out var pool))
            {
                if (served is null || !served.Pools.TryGetValue(key, out pool))
                {
                    pool = runtime.CreatePool(modules[binding.ModuleDigest], settings);
                    created.Add(pool);
                }

                pools[key] = pool;
            }

            return new ServedRoute(binding, entrypoint, pool) { Label = label };
        }
    }

    /// <summary>Not reaching the control plane is nobody's app's fault: the whole sync stops and is retried soon.</summary>
    private static bool IsControlPlaneFailure(Exception error, CancellationToken cancellationToken) =>
        error switch
        {
            OperationCanceledException => true,
            HttpRequestException http => http.StatusCode is null or >= HttpStatusCode.InternalServerError,
            HttpIOException => true, // a download (a file bundle streams) cut off midway
            _ => cancellationToken.IsCancellationRequested,
        };

    private FailedApp Fail(string app, int release, string fingerprint, string error, ServedApp? served)
    {
        LogAppFailed(app, release, served is null ? "serving nothing of it" : $"still serving release {served.Release}", error);
        return new FailedApp(app, release, error, fingerprint);
    }

    private static void AddIfServed(List<ServedApp> kept, ServedApp? served)
    {
        if (served is not null)
        {
            kept.Add(served);
        }
    }

    /// <summary>Disposes the pools a discarded build created (never served, so nothing is in flight on them).</summary>
    private static void DisposeNewPools(ServedApp app, ServedApp? previous)
    {
        foreach (var (key, pool) in app.Pools)
        {
            if (previous is null || !previous.Pools.ContainsKey(key))
            {
                pool.Dispose();
            }
        }
    }

    private async Task<CompiledModule> LoadModuleAsync(string digest, CancellationToken cancellationToken)
    {
        if (runtime.TryLoadCached(digest, out var cached) && cached is not null)
        {
            return cached;
        }

        byte[] bytes;
        using (var pull = WorkerActivities.Source.StartActivity("pull module"))
        {
            pull?.SetTag("functions.module.digest", digest);
            bytes = await controlPlane.GetModuleAsync(digest, cancellationToken).ConfigureAwait(false);
            pull?.SetTag("functions.module.bytes", bytes.Length);
        }

        using var compile = WorkerActivities.Source.StartActivity("compile module");
        compile?.SetTag("functions.module.digest", digest);
        var started = Stopwatch.GetTimestamp();
        // Compiling is CPU work of up to seconds: keep it off the thread that awaits the control plane.
        var module = await Task.Run(() => runtime.LoadOrCompile(digest, bytes), cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.Compiles.Inc();
        metrics.CompileSeconds.Inc(elapsed.TotalSeconds);
        LogCompiled(digest, bytes.Length, elapsed.TotalMilliseconds);
        return module;
    }

    private async Task<IReadOnlyList<DynamicRoute>> ExpandRoutesAsync(CompiledModule module, RouteBinding binding, RoutePattern parent)
    {
        var settings = Settings(binding, DynamicRoutes.RoutesExport, binding.Route);
        var result = await runtime.RunOnceAsync(module, settings, new Invocation([], [DynamicRoutes.RoutesExport], ReadOnlyMemory<byte>.Empty)).ConfigureAwait(false);
        if (result.Outcome != InvocationOutcome.Completed)
        {
            throw new InvalidOperationException(
                $"{binding.Route}: the module's {DynamicRoutes.RoutesExport} export ended {result.Outcome} ({result.Detail ?? $"exit code {result.ExitCode}"}).");
        }

        return DynamicRoutes.Parse(Encoding.UTF8.GetString(result.Stdout.Span), parent);
    }

    private FunctionSettings Settings(RouteBinding binding, string entrypoint, string label) => new()
    {
        Name = $"{binding.App}{label}#{entrypoint}",
        Entrypoint = entrypoint,
        Timeout = TimeSpan.FromMilliseconds(binding.Limits.TimeoutMs),
        MemoryLimitBytes = binding.Limits.MemoryMb * 1024L * 1024L,
        MaxOutputBytes = WorkerMemory.OutputCapBytes,
        MaxConcurrency = binding.Limits.MaxConcurrency,
        ReadyInstances = Math.Min(options.Value.ReadyInstances, binding.Limits.MaxConcurrency),
        Volumes =
        [
            .. binding.Volumes.Select(v => new Volume(v.GuestPath, v.HostPath, v.Writable)),
            .. (binding.Files ?? []).Select(f => new Volume(f.GuestPath, bundles.PathOf(f.Digest), Writable: false)),
        ],
        Outbound = OutboundBinding.Settings(binding),
    };

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Compiled {ModuleDigest} ({Bytes} bytes) in {Milliseconds:F0} ms")]
    private partial void LogCompiled(string moduleDigest, int bytes, double milliseconds);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning,
        Message = "App {App} release {Release} could not be applied on this worker ({Served}); the other apps are not affected. Fix the app: {Error}")]
    private partial void LogAppFailed(string app, int release, string served, string error);
}
