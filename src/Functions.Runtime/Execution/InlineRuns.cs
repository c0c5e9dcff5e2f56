namespace Functions.Runtime.Execution;

/// <summary>
/// A bounded number of invocations allowed to run on the caller's own thread instead of being handed to an execution
/// thread. Handing off costs a wake-up of another thread and a context switch each way; for a function that answers in
/// tens of microseconds that is a large share of its cost (docs/performance.md). Only a function whose recent runs
/// completed within <see cref="Threshold"/> qualifies (<see cref="FastRunsRequired"/> of them more than slow or failed
/// ones, scored by the pool), and at most <see cref="Slots"/> run inline
/// at once, so a function that turns slow can hold at most that many of the caller's threads (the thread pool, in a
/// server) until its timeout; everything else goes to execution threads as before.
/// </summary>
internal sealed class InlineRuns(int slots, TimeSpan threshold)
{
    private readonly SlotCounter _running = new(slots);

    public int Slots => _running.Capacity;

    public TimeSpan Threshold { get; } = threshold;

    /// <summary>The score of recent fast runs a function needs before it runs inline (see the pool's scoring).</summary>
    public const int FastRunsRequired = 16;

    public bool Enabled => Slots > 0 && Threshold > TimeSpan.Zero;

    public bool TryEnter() => _running.TryAcquire();

    public void Exit() => _running.Release();
}
