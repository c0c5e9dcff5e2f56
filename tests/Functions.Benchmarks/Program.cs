using BenchmarkDotNet.Running;
using Functions.Benchmarks;

// Two console modes that are not BenchmarkDotNet runs: `memory [module...]` (resident memory per ready instance) and
// `cpu [module...]` (process CPU time per invocation). Anything else goes to BenchmarkDotNet.
if (args is ["memory", .. var modules])
{
    return MemoryProbe.Run(modules);
}

if (args is ["cpu", .. var cpuArguments])
{
    return CpuProbe.Run(cpuArguments);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, ShortRunConfig.Create());
return 0;
