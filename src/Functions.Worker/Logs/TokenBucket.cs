namespace Functions.Worker.Logs;

/// <summary>
/// A token bucket: <see cref="TryTake"/> spends one token if there is one; tokens come back at <c>rate</c> per second
/// up to <c>burst</c>. It also counts what it refused since it last gave a token, so the next record can say so.
/// </summary>
internal sealed class TokenBucket(double rate, int burst, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();
    private long _refused;

    /// <summary>True when a token was taken; <paramref name="refusedBefore"/> is how many were refused since the last.</summary>
    public bool TryTake(out long refusedBefore)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_refilledAt, now).TotalSeconds * rate);
            _refilledAt = now;
            if (_tokens < 1)
            {
                _refused++;
                refusedBefore = 0;
                return false;
            }

            _tokens -= 1;
            refusedBefore = _refused;
            _refused = 0;
            return true;
        }
    }
}
