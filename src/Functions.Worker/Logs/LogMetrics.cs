using Functions.Worker.Metrics;
using Prometheus;

namespace Functions.Worker.Logs;

/// <summary>The log forwarding series on the worker's <c>/metrics</c>, labelled by the route as bound.</summary>
public sealed class LogMetrics
{
    public LogMetrics(WorkerMetrics worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var factory = Prometheus.Metrics.WithCustomRegistry(worker.Registry);
        Published = factory.CreateCounter("functions_log_records_published_total",
            "Log records (stderr lines and invocation events) the broker accepted.");
        Dropped = factory.CreateCounter("functions_log_records_dropped_total",
            "Log records not forwarded, by route and reason: rate (over Worker:Logs:RecordsPerSecond), queue_full (records " +
            "come faster than the broker takes them), broker (a publish failed or timed out).",
            new CounterConfiguration { LabelNames = ["route", "reason"] });
        Truncated = factory.CreateCounter("functions_log_records_truncated_total",
            "Log records cut to Worker:Logs:MaxLineLength characters, by route.", new CounterConfiguration { LabelNames = ["route"] });
    }

    public Counter Published { get; }

    public Counter Dropped { get; }

    public Counter Truncated { get; }
}
