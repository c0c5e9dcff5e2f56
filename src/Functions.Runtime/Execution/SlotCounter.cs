namespace Functions.Runtime.Execution;

/// <summary>
/// Slots taken against a fixed capacity, without a lock: live stores against the pooling allocator's capacity (a
/// request that would not find one is Busy), inline runs against their bound.
/// </summary>
internal sealed class SlotCounter(int capacity)
{
    private int _live;

    public int Capacity { get; } = capacity;

    public int Live => Volatile.Read(ref _live);

    /// <summary>Whether a slot could be taken now with <paramref name="reserve"/> left (see <see cref="TryAcquire"/>).</summary>
    public bool HasRoom(int reserve = 0) => Live + reserve < Capacity;

    /// <summary>Takes a slot unless fewer than <paramref name="reserve"/> would remain.</summary>
    public bool TryAcquire(int reserve = 0)
    {
        while (true)
        {
            var live = Volatile.Read(ref _live);
            if (live + reserve >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _live, live + 1, live) == live)
            {
                return true;
            }
        }
    }

    public void Release() => Interlocked.Decrement(ref _live);
}
