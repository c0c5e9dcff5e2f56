using Functions.Hosting;
using Functions.Runtime;
using Functions.Runtime.Outbound;
using Functions.Worker.Logs;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Functions.Worker.Sync;
using Functions.Worker.Tracing;
using MassTransit;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Functions.Worker.Hosting;

public static class WorkerHostingExtensions
{
    /// <summary>
    /// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> on ports apart from the invocation ports, so every path on
    /// the invocation port is a function's and the route labels in <c>/metrics</c> stay off the public address.
    /// </summary>
    private static readonly ManagementSetting Management = new(
        $"{WorkerOptions.Section}:{nameof(WorkerOptions.ManagementUrls)}", WorkerOptions.DefaultManagementUrls,
        Answers: "/healthz, /readyz and /metrics answer", AskedBy: "probes and scrapers", OtherUrls: "invocation",
        OwnPort: "give the management endpoints a port of their own");

    /// <summary>Registers everything a worker node runs: runtime, sync, heartbeat, bus, metrics.</summary>
    public static WebApplicationBuilder AddWorker(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<WorkerOptions>()
            .Bind(configuration.GetSection(WorkerOptions.Section))
            .PostConfigure(o => o.Key ??= configuration["FUNCTIONS_WORKER_KEY"])
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<RuntimeOptions>()
            .Bind(configuration.GetSection("Runtime"))
            .PostConfigure<IOptions<WorkerOptions>>((runtime, worker) =>
                runtime.CacheDirectory ??= Path.Combine(worker.Value.CacheDirectory, "compiled"));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = configuration.GetSection(WorkerOptions.Section)
            .GetValue(nameof(WorkerOptions.DrainTimeout), TimeSpan.FromSeconds(30)));

        var management = ManagementEndpoint.Listen(builder, Management);
        services.AddSingleton(management);
        // Against clients that trickle a body (or read a response) to hold their admission and its memory.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<WorkerOptions>>((kestrel, worker) =>
        {
            var options = worker.Value;
            kestrel.Limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond > 0
                ? new MinDataRate(options.MinRequestBodyBytesPerSecond, options.MinDataRateGracePeriod)
                : null;
            kestrel.Limits.MinResponseDataRate = options.MinResponseBytesPerSecond > 0
                ? new MinDataRate(options.MinResponseBytesPerSecond, options.MinDataRateGracePeriod)
                : null;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddOutboundHttp(configuration);
        services.AddSingleton(sp => new WasmRuntime(sp.GetRequiredService<IOptions<RuntimeOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<OutboundCalls>()));
        services.AddSingleton<AppliedState>();
        services.AddSingleton<SyncSignal>();
        services.AddSingleton<StateBuilder>();
        services.AddSingleton<BundleCache>();
        services.AddSingleton<WorkerBudgets>();
        services.AddSingleton<InvocationHandler>();
        services.AddWorkerLogs(configuration);
        services.AddSingleton(_ => new WorkerMetrics(Prometheus.Metrics.NewCustomRegistry()));
        services.AddHttpClient<ControlPlaneClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            ControlPlaneClient.Configure(http, options.ControlPlaneUrl!, options.Key!);
        });
        services.AddSingleton<Heartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<Heartbeat>());
        services.AddSingleton<StateSynchronizer>();
        services.AddHostedService(sp => sp.GetRequiredService<StateSynchronizer>());

        var nodeId = configuration[$"{WorkerOptions.Section}:{nameof(WorkerOptions.NodeId)}"];
        if (string.IsNullOrEmpty(nodeId))
        {
            // Fix the default id once, so the queue name and the reports agree.
            nodeId = new WorkerOptions().NodeId;
            configuration[$"{WorkerOptions.Section}:{nameof(WorkerOptions.NodeId)}"] = nodeId;
        }

        services.AddWorkerMessaging(configuration.GetConnectionString("RabbitMq"), nodeId);
        services.AddWorkerTracing(configuration, management, nodeId);
        services.AddReceiveEndpointObserver<RingOnReady>();
        return builder;
    }

    /// <summary>
    /// <c>ready: generation N</c>, then the apps that failed if any (they do not hold readiness back: the healthy apps
    /// are served), e.g. <c>ready: generation 7 (1 app failed: shop)</c>.
    /// </summary>
    internal static string ReadyText(ServingState current)
    {
        var failed = current.Failures.Keys.Order(StringComparer.Ordinal).ToList();
        return failed.Count == 0
            ? $"ready: generation {current.Generation}"
            : $"ready: generation {current.Generation} ({failed.Count} app{(failed.Count == 1 ? "" : "s")} failed: {string.Join(", ", failed)})";
    }

    /// <summary>
    /// The worker's own endpoints on the management port (<see cref="ManagementEndpoint"/>), 404 for any other path
    /// there; every request on the invocation port, whatever its path, goes to the functions.
    /// </summary>
    public static WebApplication MapWorker(this WebApplication app)
    {
        var state = app.Services.GetRequiredService<AppliedState>();
        var metrics = app.Services.GetRequiredService<WorkerMetrics>();
        var runtime = app.Services.GetRequiredService<WasmRuntime>();
        var budgets = app.Services.GetRequiredService<WorkerBudgets>();
        var management = app.Services.GetRequiredService<ManagementEndpoint>();
        app.MapWhen(management.Serves, own =>
        {
            own.Map("/healthz", exact => exact.Run(context => Own(context, () => TypedResults.Text("ok"))));
            own.Map("/readyz", exact => exact.Run(context => Own(context, () => state.IsReady
                ? Results.Text(ReadyText(state.Current))
                : Results.Text("not ready: the first sync with the control plane has not succeeded yet", statusCode: 503))));
            own.Map("/metrics", exact => exact.Run(context => Own(context, () => Results.Stream(async body =>
            {
                PoolMetrics.Update(metrics, state.Current, runtime.Stats, budgets);
                await metrics.Registry.CollectAndExportAsTextAsync(body, context.RequestAborted).ConfigureAwait(false);
            }, "text/plain; version=0.0.4; charset=utf-8"))));
            own.Run(context => Results.NotFound().ExecuteAsync(context));
        });
        var handler = app.Services.GetRequiredService<InvocationHandler>();
        app.Run(handler.HandleAsync);
        return app;
    }

    /// <summary>The endpoint's answer for a GET or HEAD of exactly its path (<c>Map</c> also matches sub-paths).</summary>
    private static Task Own(HttpContext context, Func<IResult> answer)
    {
        if (context.Request.Path.HasValue && context.Request.Path != "/")
        {
            return Results.NotFound().ExecuteAsync(context);
        }

        return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? answer().ExecuteAsync(context)
            : Results.StatusCode(StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
    }
}
