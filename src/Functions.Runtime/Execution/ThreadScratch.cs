namespace Functions.Runtime.Execution;

/// <summary>
/// One runner's reusable state (an execution thread's, or a synchronous caller's while it borrows it): the captures
/// of stdout and stderr (<see cref="StdioCapture"/>), the epoch watch and a buffer for the C strings of argv and the
/// environment. Used by one invocation at a time, never shared.
/// </summary>
internal sealed class ThreadScratch(int maxStderrBytes) : IDisposable
{
    public OutputCapture Stdout { get; } = new();

    public OutputCapture Stderr { get; } = new();

    /// <summary>stderr bytes kept for the result; the rest is counted, not kept.</summary>
    public int MaxStderrBytes { get; } = maxStderrBytes;

    /// <summary>The running function's limit on what it may write to either stream.</summary>
    public long MaxOutputBytes { get; private set; }

    public RunWatch Watch { get; } = new();

    public NativeStrings Strings { get; } = new();

    /// <summary>WASI's own functions in the running store, once a call the runtime does not answer needed them.</summary>
    public WasiBridge.Functions Wasi { get; set; }

    /// <summary>Starts a run allowed <paramref name="maxOutputBytes"/> on each stream.</summary>
    public void Begin(long maxOutputBytes)
    {
        MaxOutputBytes = maxOutputBytes;
        Stdout.Begin(maxOutputBytes);
        Stderr.Begin(MaxStderrBytes);
    }

    /// <summary>Ends the run: buffers a big output grew are given back.</summary>
    public void End()
    {
        Stdout.End();
        Stderr.End();
    }

    public void Dispose() => Watch.Dispose();
}
