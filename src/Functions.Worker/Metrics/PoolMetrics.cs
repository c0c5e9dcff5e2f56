using Functions.Worker.Serving;

namespace Functions.Worker.Metrics;

/// <summary>Copies the pools' own counters into the per-route gauges, and the runtime's into its own, just before a scrape.</summary>
internal static class PoolMetrics
{
    public static void Update(WorkerMetrics metrics, ServingState state, Functions.Runtime.RuntimeStats runtime, WorkerBudgets budgets)
    {
        metrics.MemoryBudgetUsed.Set(budgets.Memory.Used);
        metrics.MemoryBudget.Set(budgets.Memory.Capacity);
        metrics.BodyBudgetUsed.Set(budgets.Bodies.Used);
        metrics.BodyBudget.Set(budgets.Bodies.Capacity);
        metrics.LiveInstances.Set(runtime.LiveInstances);
        metrics.ModulesLoaded.Set(runtime.ModulesLoaded);
        metrics.ModuleBytes.Set(runtime.ModuleBytes);
        metrics.ModuleEvictions.Set(runtime.ModuleEvictions);
        metrics.ModuleDiskLoads.Set(runtime.DiskCacheHits);

        foreach (var (_, route) in state.Routes.Routes)
        {
            var stats = route.Pool.Stats;
            metrics.PoolHits.WithLabels(route.Label).Set(stats.Hits);
            metrics.PoolMisses.WithLabels(route.Label).Set(stats.Misses);
            metrics.PoolReady.WithLabels(route.Label).Set(stats.Ready);
            metrics.Instantiations.WithLabels(route.Label).Set(stats.Instantiations);
            metrics.Rejected.WithLabels(route.Label).Set(stats.BusyRejections);
            metrics.InlineRuns.WithLabels(route.Label).Set(stats.InlineRuns);
        }

        metrics.AppliedGeneration.Set(state.Generation);
    }
}
