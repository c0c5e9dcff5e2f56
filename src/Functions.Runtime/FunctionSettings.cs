namespace Functions.Runtime;

/// <summary>How one function runs: which export, under which limits, seeing which directories.</summary>
public sealed record FunctionSettings
{
    public const string DefaultEntrypoint = "_start";

    /// <summary>A name for logs and errors, e.g. the route.</summary>
    public string Name { get; init; } = "function";

    public string Entrypoint { get; init; } = DefaultEntrypoint;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public long MemoryLimitBytes { get; init; } = 128L * 1024 * 1024;

    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;

    public int MaxConcurrency { get; init; } = 64;

    /// <summary>Instances kept instantiated ahead of demand while the function is in use.</summary>
    public int ReadyInstances { get; init; } = 8;

    public IReadOnlyList<Volume> Volumes { get; init; } = [];
}

/// <summary>A host directory the module sees at <paramref name="GuestPath"/>; read-only unless writable.</summary>
public sealed record Volume(string GuestPath, string HostPath, bool Writable = false);
