namespace Functions.Worker.Serving;

/// <summary>The generation this worker serves now, swapped atomically, and how the last sync went.</summary>
public sealed class AppliedState
{
    private ServingState _current = ServingState.Empty;
    private volatile SyncStatus _status = new(false, null, null, null);

    public ServingState Current => Volatile.Read(ref _current);

    public SyncStatus Status => _status;

    /// <summary>
    /// Ready once the first sync processed the desired state: every app that could be applied is served (an app that
    /// failed is reported in <see cref="ServingState.Failures"/> and does not hold readiness back).
    /// </summary>
    public bool IsReady => _status.Synced;

    /// <summary>Makes <paramref name="next"/> the served state; returns the one it replaced.</summary>
    public ServingState Swap(ServingState next)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        _status = new SyncStatus(true, DateTimeOffset.UtcNow, null, null);
        return previous;
    }

    /// <summary>Notes that the newest generation could not be applied; what is served stays as it was.</summary>
    public void Failed(long generation, string error) =>
        _status = _status with { FailedGeneration = generation, LastError = error };

    /// <summary>Notes that the served state is still the newest one.</summary>
    public void UpToDate() => _status = _status with { Synced = true, LastSync = DateTimeOffset.UtcNow, FailedGeneration = null, LastError = null };
}

public sealed record SyncStatus(bool Synced, DateTimeOffset? LastSync, long? FailedGeneration, string? LastError);
