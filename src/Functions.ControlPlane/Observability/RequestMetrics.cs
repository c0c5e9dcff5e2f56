using System.Diagnostics;
using System.Globalization;
using Functions.Hosting;

namespace Functions.ControlPlane.Observability;

/// <summary>
/// Records every API request once it is answered: its latency by endpoint, and for the endpoints that change what the
/// platform serves (uploads, deploys, rollbacks) an outcome counter read from the status code, so the API's handlers
/// stay free of metrics code. Endpoints are known by their <c>WithName</c>.
/// </summary>
internal static class RequestMetrics
{
    public static WebApplication UseRequestMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ControlPlaneMetrics>();
        var management = app.Services.GetRequiredService<ManagementEndpoint>();
        app.Use(async (context, next) =>
        {
            if (management.Serves(context))
            {
                await next(context);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                Record(metrics, context, Stopwatch.GetElapsedTime(started));
            }
        });
        return app;
    }

    private static void Record(ControlPlaneMetrics metrics, HttpContext context, TimeSpan elapsed)
    {
        var endpoint = context.GetEndpoint();
        // Unmatched paths share one label: a scan of random paths must not grow the series without bound.
        var template = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        var status = context.Response.StatusCode;
        metrics.Requests.WithLabels(template, context.Request.Method, status.ToString(CultureInfo.InvariantCulture))
            .Observe(elapsed.TotalSeconds);
        switch (endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName)
        {
            case "UploadModule":
                metrics.Uploads.WithLabels("module", UploadOutcome(status)).Inc();
                break;
            case "PullModule":
                metrics.Uploads.WithLabels("module-pull", UploadOutcome(status)).Inc();
                break;
            case "UploadFiles":
                metrics.Uploads.WithLabels("files", UploadOutcome(status)).Inc();
                break;
            case "DeployApp":
                metrics.Deploys.WithLabels(ActivationOutcome(status)).Inc();
                break;
            case "RollbackApp":
                metrics.Rollbacks.WithLabels(ActivationOutcome(status)).Inc();
                break;
        }
    }

    private static string UploadOutcome(int status) => status switch
    {
        StatusCodes.Status201Created => "created",
        StatusCodes.Status200OK => "existing",
        < 500 and >= 400 => "refused",
        _ => "failed",
    };

    private static string ActivationOutcome(int status) => status switch
    {
        StatusCodes.Status200OK or StatusCodes.Status201Created => "activated",
        < 500 and >= 400 => "refused",
        _ => "failed",
    };
}
