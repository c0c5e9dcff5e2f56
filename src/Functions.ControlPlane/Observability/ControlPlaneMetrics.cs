using Prometheus;

namespace Functions.ControlPlane.Observability;

/// <summary>What the control plane's <c>/metrics</c> shows, in Prometheus text (docs/observability.md lists it).</summary>
public sealed class ControlPlaneMetrics
{
    private static readonly double[] LatencyBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly double[] RolloutBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    public ControlPlaneMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Requests = factory.CreateHistogram("functions_api_request_duration_seconds",
            "Time from request to response of the API, by endpoint (route template), method and status code.",
            new HistogramConfiguration { LabelNames = ["endpoint", "method", "status"], Buckets = LatencyBuckets });
        Uploads = factory.CreateCounter("functions_uploads_total",
            "Uploads by kind (module, files) and outcome: created (new content), existing (already stored), refused (4xx), failed (5xx).",
            new CounterConfiguration { LabelNames = ["kind", "outcome"] });
        Deploys = factory.CreateCounter("functions_deploys_total",
            "Deploys (PUT /api/v1/apps/{name}) by outcome: activated, refused (4xx), failed (5xx).",
            new CounterConfiguration { LabelNames = ["outcome"] });
        Rollbacks = factory.CreateCounter("functions_rollbacks_total",
            "Rollbacks (POST /api/v1/apps/{name}/rollback) by outcome: activated, refused (4xx), failed (5xx).",
            new CounterConfiguration { LabelNames = ["outcome"] });
        Rollout = factory.CreateHistogram("functions_rollout_duration_seconds",
            "Time from a release's activation (its deploy or rollback committed) to a worker reporting it applied: one observation per worker and activation.",
            new HistogramConfiguration { Buckets = RolloutBuckets });
    }

    public CollectorRegistry Registry { get; }

    public Histogram Requests { get; }

    public Counter Uploads { get; }

    public Counter Deploys { get; }

    public Counter Rollbacks { get; }

    public Histogram Rollout { get; }
}
