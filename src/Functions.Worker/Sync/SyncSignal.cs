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

    internal ChannelReader<string> Reader => _channel.Reader;
}
