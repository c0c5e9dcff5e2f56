using BenchmarkDotNet.Running;
using Functions.Benchmarks;

// Console modes that are not BenchmarkDotNet runs: `memory [module...]` (resident memory per ready instance),
// `density [modules] [routes per module]` (many functions in one runtime: memory, first requests to idle ones),
// `cpu [options] [module...]` (process CPU time per invocation) and `start` (a warm start step by step). Anything else goes to BenchmarkDotNet.
if (args is ["memory", .. var modules])
{
    return MemoryProbe.Run(modules);
}

if (args is ["density", .. var densityArguments])
{
    return DensityProbe.Run(densityArguments);
}

if (args is ["start"])
{
    return StartProbe.Run();
}

if (args is ["cpu", .. var cpuArguments])
{
    return CpuProbe.Run(cpuArguments);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, ShortRunConfig.Create());
return 0;
