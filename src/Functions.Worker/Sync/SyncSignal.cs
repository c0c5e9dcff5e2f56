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

    // The pull spread of the newest announcement, in ticks; -1 when it carried none.
    private long _announcedSpread = -1;

    /// <summary>
    /// The window over which the newest announcement asked the fleet to spread its pulls (its <c>PullSpreadMs</c>);
    /// null when it carried none (a control plane that does not size it) or before any.
    /// </summary>
    public TimeSpan? AnnouncedSpread => Interlocked.Read(ref _announcedSpread) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>
    /// Notes a generation a message announced and the pull spread it asked for, and rings, joining the deploy's trace
    /// when it has one.
    /// </summary>
    public void Announce(long generation, string? traceParent = null, TimeSpan? spread = null)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _announced);
        }
        while (generation > seen && Interlocked.CompareExchange(ref _announced, generation, seen) != seen);

        if (generation >= Interlocked.Read(ref _announced))
        {
            Interlocked.Exchange(ref _announcedSpread, spread is { } s ? Math.Max(s.Ticks, 0) : -1);
        }

        Ring(Announcement + generation.ToString(System.Globalization.CultureInfo.InvariantCulture), traceParent);
    }

    /// <summary>The reason of a ring by <see cref="Announce"/>, followed by the generation.</summary>
    public const string Announcement = "message for generation ";

    /// <summary>
    /// How long to wait before pulling after a ring for <paramref name="reason"/>: after a message, a random time below
    /// the <paramref name="spread"/> it asked for, capped by this worker's <paramref name="jitter"/>
    /// (<c>Worker:PullJitter</c>); none after a message that asked for none, and none after other rings.
    /// </summary>
    public static TimeSpan PullDelay(string reason, TimeSpan? spread, TimeSpan jitter, Random random)
    {
        if (spread is not { } asked || !reason.StartsWith(Announcement, StringComparison.Ordinal))
        {
            return TimeSpan.Zero;
        }

        var window = asked < jitter ? asked : jitter;
        return window > TimeSpan.Zero ? TimeSpan.FromTicks((long)(random.NextDouble() * window.Ticks)) : TimeSpan.Zero;
    }

    internal ChannelReader<string> Reader => _channel.Reader;
}
