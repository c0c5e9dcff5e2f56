namespace Functions.Worker.Serving;

/// <summary>
/// A worker-wide budget of bytes, taken and given back without locks: the memory admitted invocations may hold, or the
/// part of it request bodies in flight may.
/// </summary>
/// <param name="setting">The setting that sizes it, named in the 503 a client gets when it is spent.</param>
/// <param name="capacity">Its size in bytes.</param>
public sealed class ByteBudget(string setting, long capacity)
{
    private long _used;

    public string Setting { get; } = setting;

    public long Capacity { get; } = capacity;

    public long Used => Volatile.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/> when they fit; false (nothing taken) when they do not.</summary>
    public bool TryTake(long bytes)
    {
        var seen = Volatile.Read(ref _used);
        while (true)
        {
            if (bytes > Capacity - seen)
            {
                return false;
            }

            var previous = Interlocked.CompareExchange(ref _used, seen + bytes, seen);
            if (previous == seen)
            {
                return true;
            }

            seen = previous;
        }
    }

    public void Give(long bytes) => Interlocked.Add(ref _used, -bytes);

    /// <summary>The detail of the 503 a request gets when this budget is spent.</summary>
    public string SpentDetail(string what) =>
        $"this worker's {Setting} ({Capacity} bytes) is in use by other requests; {what}. Retry later.";
}
