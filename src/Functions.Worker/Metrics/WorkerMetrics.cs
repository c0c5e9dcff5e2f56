using Prometheus;

namespace Functions.Worker.Metrics;

/// <summary>What <c>/metrics</c> shows, in Prometheus text. Per-route series are labelled by the route as bound.</summary>
public sealed class WorkerMetrics
{
    private static readonly double[] LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public WorkerMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Requests = factory.CreateCounter("functions_requests_total", "Invocations answered, by route and status code.",
            new CounterConfiguration { LabelNames = ["route", "status"] });
        Latency = factory.CreateHistogram("functions_request_duration_seconds", "Time from request to response, by route.",
            new HistogramConfiguration { LabelNames = ["route"], Buckets = LatencyBuckets });
        PoolHits = factory.CreateGauge("functions_pool_hits", "Invocations that found a pre-instantiated instance ready, by route.",
            new GaugeConfiguration { LabelNames = ["route"] });
        PoolMisses = factory.CreateGauge("functions_pool_misses", "Invocations that had to instantiate on demand, by route.",
            new GaugeConfiguration { LabelNames = ["route"] });
        PoolReady = factory.CreateGauge("functions_pool_ready_instances", "Instances ready right now, by route.",
            new GaugeConfiguration { LabelNames = ["route"] });
        Instantiations = factory.CreateGauge("functions_instantiations", "Instances created, by route.",
            new GaugeConfiguration { LabelNames = ["route"] });
        InlineRuns = factory.CreateGauge("functions_inline_runs",
            "Invocations run on the request's own thread rather than handed to an execution thread (short functions), by route.",
            new GaugeConfiguration { LabelNames = ["route"] });
        Rejected = factory.CreateGauge("functions_busy_rejections", "Invocations refused with 503 at the route's concurrency limit.",
            new GaugeConfiguration { LabelNames = ["route"] });
        CompileSeconds = factory.CreateCounter("functions_compile_seconds_total", "Time spent compiling modules.");
        Compiles = factory.CreateCounter("functions_compiles_total", "Modules compiled (not loaded from the cache).");
        AppliedGeneration = factory.CreateGauge("functions_applied_generation", "The desired-state generation this worker serves.");
        FailedApps = factory.CreateGauge("functions_failed_apps", "Apps whose active release this worker could not apply.");
        SyncFailures = factory.CreateCounter("functions_sync_failures_total", "Syncs that failed and kept the previous state.");
        NotFound = factory.CreateCounter("functions_not_found_total", "Requests that matched no route.");
        LiveInstances = factory.CreateGauge("functions_live_instances",
            "Instances alive (ready or running) against the worker's one budget of instance slots (Runtime:PoolingTotalInstances).");
        ModulesLoaded = factory.CreateGauge("functions_modules_in_memory", "Compiled modules in memory.");
        ModuleBytes = factory.CreateGauge("functions_module_memory_bytes",
            "Compiled modules in memory, in bytes of their artifacts, against Runtime:ModuleMemoryBytes.");
        ModuleEvictions = factory.CreateGauge("functions_module_evictions",
            "Compiled modules that left memory (past the bound, or no route refers to them), since the worker started.");
        MemoryBudgetUsed = factory.CreateGauge("functions_memory_budget_used_bytes",
            "Memory reserved by admitted invocations (memory limit + output cap each) and their bodies, against functions_memory_budget_bytes.");
        MemoryBudget = factory.CreateGauge("functions_memory_budget_bytes", "The worker's memory budget for invocations (Worker:MemoryBudgetBytes).");
        BodyBudgetUsed = factory.CreateGauge("functions_body_budget_used_bytes",
            "Bytes of pooled buffers holding request bodies in flight, against functions_body_budget_bytes.");
        BodyBudget = factory.CreateGauge("functions_body_budget_bytes", "The worker's budget for request bodies in flight (Worker:BodyBudgetBytes).");
        ModuleDiskLoads = factory.CreateGauge("functions_module_disk_loads",
            "Compiled modules loaded from the disk cache (at a deploy, or at the first request after leaving memory).");
        BundleDownloads = factory.CreateCounter("functions_bundle_downloads_total",
            "File bundles downloaded from the control plane, by outcome: ok, corrupt (digest or format check failed), failed.",
            new CounterConfiguration { LabelNames = ["outcome"] });
        BundleBytes = factory.CreateGauge("functions_bundle_bytes", "Bytes of the file bundles unpacked in the worker's cache (sum of file sizes).");
        OutboundRequests = factory.CreateCounter("functions_outbound_requests_total",
            "Outbound HTTP calls functions made through wasi_experimental_http, by function (app, route and entrypoint) and outcome: " +
            "completed, forbidden, redirect_forbidden, private_address, timed_out, too_large, too_many_sessions, invalid, failed.",
            new CounterConfiguration { LabelNames = ["route", "outcome"] });
        Bundles = factory.CreateGauge("functions_bundles", "File bundles unpacked in the worker's cache.");
    }

    public CollectorRegistry Registry { get; }

    public Counter Requests { get; }
    public Histogram Latency { get; }
    public Gauge PoolHits { get; }
    public Gauge MemoryBudgetUsed { get; }
    public Gauge MemoryBudget { get; }
    public Gauge BodyBudgetUsed { get; }
    public Gauge BodyBudget { get; }
    public Gauge PoolMisses { get; }
    public Gauge PoolReady { get; }
    public Gauge Instantiations { get; }
    public Gauge Rejected { get; }
    public Gauge InlineRuns { get; }
    public Counter CompileSeconds { get; }
    public Counter Compiles { get; }
    public Gauge AppliedGeneration { get; }
    public Counter SyncFailures { get; }

    public Gauge FailedApps { get; }
    public Counter NotFound { get; }

    public Gauge LiveInstances { get; }

    public Gauge ModulesLoaded { get; }

    public Gauge ModuleBytes { get; }

    public Gauge ModuleEvictions { get; }

    public Gauge ModuleDiskLoads { get; }

    public Counter BundleDownloads { get; }

    public Gauge BundleBytes { get; }

    public Gauge Bundles { get; }

    public Counter OutboundRequests { get; }
}
