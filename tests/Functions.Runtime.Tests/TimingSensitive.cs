namespace Functions.Runtime.Tests;

/// <summary>
/// Test classes that assert how long runs take or that one run is answered while others hog the CPU (loops until a
/// timeout, concurrency limits, inline runs). They run alone, one after another: beside other classes' CPU-bound
/// modules and compiles on a 2-core machine, their deadlines measured the machine, not the runtime.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
