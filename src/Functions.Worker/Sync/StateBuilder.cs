using System.Diagnostics;
using System.Text;
using Functions.Contracts;
using Functions.Runtime;
using Functions.Wagi;
using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Sync;

/// <summary>
/// Turns a desired state into a <see cref="ServingState"/>: modules fetched (by digest, verified) and compiled,
/// <c>_routes</c> expanded, pools filled, the route table built. All of it off the request path; nothing of it
/// becomes visible until the whole generation is ready.
/// </summary>
public sealed partial class StateBuilder(
    WasmRuntime runtime,
    ControlPlaneClient controlPlane,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> options,
    ILogger<StateBuilder> logger)
{
    public async Task<ServingState> BuildAsync(DesiredState desired, ServingState current, CancellationToken cancellationToken)
    {
        var modules = new Dictionary<string, CompiledModule>(StringComparer.Ordinal);
        foreach (var digest in desired.Routes.Select(r => r.ModuleDigest).Distinct(StringComparer.Ordinal))
        {
            modules[digest] = await LoadModuleAsync(digest, cancellationToken).ConfigureAwait(false);
        }

        var pools = new Dictionary<PoolKey, FunctionPool>();
        var created = new List<FunctionPool>();
        try
        {
            var routes = new List<(RoutePattern, ServedRoute)>();
            foreach (var binding in desired.Routes)
            {
                var pattern = RoutePattern.Parse(binding.Route);
                var module = modules[binding.ModuleDigest];
                routes.Add((pattern, Serve(binding, pattern.Text, binding.Entrypoint)));
                if (binding.ModuleExports.Contains(DynamicRoutes.RoutesExport, StringComparer.Ordinal))
                {
                    foreach (var sub in await ExpandRoutesAsync(module, binding, pattern).ConfigureAwait(false))
                    {
                        if (!binding.ModuleExports.Contains(sub.Entrypoint, StringComparer.Ordinal))
                        {
                            throw new InvalidOperationException(
                                $"{binding.Route}: _routes names '{sub.Entrypoint}' for {sub.Pattern.Text}, which the module does not export.");
                        }

                        routes.Add((sub.Pattern, Serve(binding, sub.Pattern.Text, sub.Entrypoint)));
                    }
                }
            }

            return new ServingState(desired.Generation, new RouteTable<ServedRoute>(routes), pools);
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
            var key = PoolKey.For(binding, entrypoint);
            if (!pools.TryGetValue(key, out var pool))
            {
                if (!current.Pools.TryGetValue(key, out pool))
                {
                    pool = runtime.CreatePool(modules[binding.ModuleDigest], Settings(binding, entrypoint, label));
                    created.Add(pool);
                }

                pools[key] = pool;
            }

            return new ServedRoute(binding, entrypoint, pool) { Label = label };
        }
    }

    private async Task<CompiledModule> LoadModuleAsync(string digest, CancellationToken cancellationToken)
    {
        if (runtime.TryLoadCached(digest, out var cached) && cached is not null)
        {
            return cached;
        }

        var bytes = await controlPlane.GetModuleAsync(digest, cancellationToken).ConfigureAwait(false);
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
        var result = await runtime.RunOnceAsync(module, settings, new Invocation([], ["_routes"], ReadOnlyMemory<byte>.Empty)).ConfigureAwait(false);
        if (result.Outcome != InvocationOutcome.Completed)
        {
            throw new InvalidOperationException(
                $"{binding.Route}: the module's _routes export ended {result.Outcome} ({result.Detail ?? $"exit code {result.ExitCode}"}).");
        }

        return DynamicRoutes.Parse(Encoding.UTF8.GetString(result.Stdout.Span), parent);
    }

    private FunctionSettings Settings(RouteBinding binding, string entrypoint, string label) => new()
    {
        Name = $"{binding.App}{label}#{entrypoint}",
        Entrypoint = entrypoint,
        Timeout = TimeSpan.FromMilliseconds(binding.Limits.TimeoutMs),
        MemoryLimitBytes = binding.Limits.MemoryMb * 1024L * 1024L,
        MaxConcurrency = binding.Limits.MaxConcurrency,
        ReadyInstances = Math.Min(options.Value.ReadyInstances, binding.Limits.MaxConcurrency),
        Volumes = [.. binding.Volumes.Select(v => new Volume(v.GuestPath, v.HostPath, v.Writable))],
    };

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Compiled {ModuleDigest} ({Bytes} bytes) in {Milliseconds:F0} ms")]
    private partial void LogCompiled(string moduleDigest, int bytes, double milliseconds);
}
