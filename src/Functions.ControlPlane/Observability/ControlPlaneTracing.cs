using Functions.Hosting;
using Functions.Messaging.Tracing;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Functions.ControlPlane.Observability;

internal static class ControlPlaneTracing
{
    /// <summary>
    /// OpenTelemetry tracing exported over OTLP when the <c>OTEL_*</c> variables ask for it (<see cref="TraceExport"/>):
    /// the API's request spans (not the health probes' nor the management port's), activations and publishes.
    /// </summary>
    public static IServiceCollection AddControlPlaneTracing(this IServiceCollection services, IConfiguration configuration,
        ManagementEndpoint management)
    {
        if (!TraceExport.IsOn(key => configuration[key]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME (read by the SDK) wins over the default name.
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("functions-controlplane");
                }
            })
            .WithTracing(tracing => tracing
                .AddSource(ControlPlaneActivities.SourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => Traced(context, management))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return services;
    }

    /// <summary>
    /// Not the probes, the scrapes, nor the workers' own heartbeats and polls (they would be a root trace each, every
    /// few seconds per worker): a worker's call is traced only when it carries a trace context, as a deploy's sync does.
    /// </summary>
    private static bool Traced(HttpContext context, ManagementEndpoint management)
    {
        var path = context.Request.Path;
        if (management.Serves(context) || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz"))
        {
            return false;
        }

        return !path.StartsWithSegments("/internal") || context.Request.Headers.ContainsKey("traceparent");
    }
}
