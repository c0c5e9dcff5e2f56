using Functions.Messaging.Tracing;
using Functions.Hosting;
using Functions.Worker.Hosting;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Functions.Worker.Tracing;

internal static class WorkerTracing
{
    /// <summary>
    /// OpenTelemetry tracing exported over OTLP when the <c>OTEL_*</c> variables ask for it (<see cref="TraceExport"/>):
    /// the Kestrel request span (not on the management port: probes and scrapes are not traced), the invocation span,
    /// the deploy spans and the deploy's calls to the control plane. (MassTransit's own source is left out: with a
    /// listener on it the worker's exclusive queue declaration failed with the broker's INTERNAL_ERROR.)
    /// </summary>
    public static IServiceCollection AddWorkerTracing(this IServiceCollection services, IConfiguration configuration,
        ManagementEndpoint management, string nodeId)
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
                    resource.AddService("functions-worker", autoGenerateServiceInstanceId: false);
                }

                resource.AddAttributes([new("service.instance.id", nodeId)]);
            })
            .WithTracing(tracing => tracing
                .AddSource(WorkerActivities.SourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !management.Serves(context))
                // Calls to the control plane are traced inside a deploy's sync only, not each heartbeat as a root of its own.
                .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = _ => InsideATrace())
                .AddOtlpExporter());
        return services;
    }

    /// <summary>Whether the outgoing call's activity (current when the filter runs) has a parent: a sync's, not a heartbeat's.</summary>
    private static bool InsideATrace() => System.Diagnostics.Activity.Current is { } call && call.ParentSpanId != default;
}
