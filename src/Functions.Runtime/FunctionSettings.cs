using Functions.Contracts;

namespace Functions.Runtime;

/// <summary>How one function runs: which export, under which limits, seeing which directories.</summary>
public sealed record FunctionSettings
{
    /// <summary>A name for logs and errors, e.g. the route and entrypoint.</summary>
    public string Name { get; init; } = "function";

    /// <summary>The export to run: a function with no parameters and no results.</summary>
    public string Entrypoint { get; init; } = Entrypoints.Start;

    /// <summary>Wall-clock limit of one run (its instantiation's start section included).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Linear memory cap: past it <c>memory.grow</c> fails inside the module.</summary>
    public long MemoryLimitBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>stdout cap (stderr too): writing more stops the run with <see cref="InvocationOutcome.OutputLimitExceeded"/>.</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Runs at once; beyond it invocations are answered <see cref="InvocationOutcome.Busy"/> at once.</summary>
    public int MaxConcurrency { get; init; } = 64;

    /// <summary>Instances kept instantiated ahead of demand while the function is in use; null: the runtime's default.</summary>
    public int? ReadyInstances { get; init; }

    /// <summary>Host directories the module sees; nothing else of the host is visible.</summary>
    public IReadOnlyList<Volume> Volumes { get; init; } = [];

    public OutboundHttpSettings Outbound { get; init; } = OutboundHttpSettings.None;
}
