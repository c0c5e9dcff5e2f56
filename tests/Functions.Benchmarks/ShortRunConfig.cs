using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Functions.Benchmarks;

/// <summary>
/// Short runs for a noisy 2-core machine: 3 warm-up and 10 measured iterations, in process (no generated project to
/// build per benchmark), medians and ratios shown. Figures in docs/performance.md come from this configuration.
/// </summary>
internal static class ShortRunConfig
{
    public static IConfig Create() => ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("Short"))
        .AddColumn(StatisticColumn.Median, StatisticColumn.P90)
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
}
