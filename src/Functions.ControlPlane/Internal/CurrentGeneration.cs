using Functions.ControlPlane.Data;
using Functions.ControlPlane.Hosting;
using Functions.Data;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Internal;

/// <summary>
/// The current global generation as this control plane last knew it, so that heartbeats and <c>304</c> pulls do not
/// each read it from Postgres. It moves forward when this instance commits a deployment (<see cref="Advance"/>, before
/// the doorbell rings, so a notified worker never pulls an older generation from here) or reads a newer desired
/// state, and otherwise is re-read at most once per
/// <see cref="ControlPlaneOptions.GenerationCacheTtl"/>, one read for every concurrent caller: with several control
/// plane instances, a deployment committed by another one is seen here within that time.
/// </summary>
internal sealed class CurrentGeneration(IOptions<ControlPlaneOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _reading = new(1, 1);
    private long _value = -1;
    private long _readAt;
    private long _reads;

    /// <summary>How many times it was read from Postgres.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>A generation known to be committed: only moves the value forward.</summary>
    public void Advance(long generation)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _value);
            if (seen >= generation)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _value, generation, seen) != seen);
    }

    public async ValueTask<long> GetAsync(FunctionsDbContext db, CancellationToken cancel)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }

        await _reading.WaitAsync(cancel);
        try
        {
            // Another caller may have read it while this one waited.
            if (Fresh() is { } read)
            {
                return read;
            }

            var startedAt = time.GetTimestamp();
            Advance(await Generation.CurrentAsync(db, cancel));
            Interlocked.Increment(ref _reads);
            Interlocked.Exchange(ref _readAt, startedAt);
            return Interlocked.Read(ref _value);
        }
        finally
        {
            _reading.Release();
        }
    }

    private long? Fresh()
    {
        var readAt = Interlocked.Read(ref _readAt);
        return readAt != 0 && time.GetElapsedTime(readAt) < options.Value.GenerationCacheTtl
            ? Interlocked.Read(ref _value)
            : null;
    }

    public void Dispose() => _reading.Dispose();
}
