using System.Threading.Channels;

namespace Functions.Worker.Sync;

/// <summary>
/// Wakes the synchronizer. Many rings before it wakes collapse into one sync: it always pulls the newest state. The
/// trace contexts of the deploys that rang are kept (the newest few) for that sync's span to link to.
/// </summary>
public sealed class SyncSignal
{
    private const int MaxTraceParents = 16;

    private readonly Channel<string> _channel =
        Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Queue<string> _traceParents = new();

    public void Ring(string reason) => _channel.Writer.TryWrite(reason);

    /// <summary>Rings for a deploy whose trace (a W3C <c>traceparent</c>, when it has one) the sync should join.</summary>
    public void Ring(string reason, string? traceParent)
    {
        if (traceParent is not null)
        {
            lock (_traceParents)
            {
                if (_traceParents.Count == MaxTraceParents)
                {
                    _traceParents.Dequeue();
                }

                _traceParents.Enqueue(traceParent);
            }
        }

        Ring(reason);
    }

    /// <summary>The trace contexts rung since the last call, oldest first.</summary>
    internal List<string> TakeTraceParents()
    {
        lock (_traceParents)
        {
            var taken = _traceParents.ToList();
            _traceParents.Clear();
            return taken;
        }
    }

    private long _announced;

    /// <summary>The newest generation a message announced (0 before any): a sync that ends behind it is retried.</summary>
    public long Announced => Interlocked.Read(ref _announced);

    /// <summary>Notes a generation a message announced, and rings, joining the deploy's trace when it has one.</summary>
    public void Announce(long generation, string? traceParent = null)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _announced);
        }
        while (generation > seen && Interlocked.CompareExchange(ref _announced, generation, seen) != seen);

        Ring(Announcement + generation.ToString(System.Globalization.CultureInfo.InvariantCulture), traceParent);
    }

    /// <summary>The reason of a ring by <see cref="Announce"/>, followed by the generation.</summary>
    public const string Announcement = "message for generation ";

    /// <summary>
    /// How long to wait before pulling after a ring for <paramref name="reason"/>: a random time below
    /// <paramref name="jitter"/> after a message (the whole fleet hears it at once), none otherwise.
    /// </summary>
    public static TimeSpan PullDelay(string reason, TimeSpan jitter, Random random) =>
        jitter > TimeSpan.Zero && reason.StartsWith(Announcement, StringComparison.Ordinal)
            ? TimeSpan.FromTicks((long)(random.NextDouble() * jitter.Ticks))
            : TimeSpan.Zero;

    internal ChannelReader<string> Reader => _channel.Reader;
}
