using Functions.ControlPlane.Hosting;
using Functions.Hosting;
using Prometheus;

namespace Functions.ControlPlane.Observability;

/// <summary>Tracing, <c>/metrics</c> on the management port, and the API's request metrics.</summary>
public static class ControlPlaneObservability
{
    /// <summary>
    /// <c>/metrics</c> on ports apart from the API's, as the worker does, so the scrape (app names, endpoint latencies)
    /// stays off the API's address and needs no API key.
    /// </summary>
    private static readonly ManagementSetting Management = new(
        $"{ControlPlaneOptions.Section}:{nameof(ControlPlaneOptions.ManagementUrls)}", ControlPlaneOptions.DefaultManagementUrls,
        Answers: "/metrics answers", AskedBy: "scrapers", OtherUrls: "API", OwnPort: "give /metrics a port of its own");

    public static WebApplicationBuilder AddControlPlaneObservability(this WebApplicationBuilder builder)
    {
        var management = ManagementEndpoint.Listen(builder, Management);
        builder.Services.AddSingleton(management);
        builder.Services.AddSingleton(_ => new ControlPlaneMetrics(Prometheus.Metrics.NewCustomRegistry()));
        builder.Services.AddControlPlaneTracing(builder.Configuration, management);
        return builder;
    }

    /// <summary>
    /// First in the pipeline: the management port answers <c>/metrics</c> and 404 for anything else (no API there);
    /// every other request is measured once answered, errors included.
    /// </summary>
    public static WebApplication UseControlPlaneObservability(this WebApplication app)
    {
        var management = app.Services.GetRequiredService<ManagementEndpoint>();
        var metrics = app.Services.GetRequiredService<ControlPlaneMetrics>();
        app.MapWhen(management.Serves, own =>
        {
            own.Run(context =>
            {
                if (context.Request.Path != "/metrics")
                {
                    return Results.NotFound().ExecuteAsync(context);
                }

                return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? Results.Stream(body => metrics.Registry.CollectAndExportAsTextAsync(body, context.RequestAborted),
                        "text/plain; version=0.0.4; charset=utf-8").ExecuteAsync(context)
                    : Results.StatusCode(StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
            });
        });
        app.UseRequestMetrics();
        return app;
    }
}
