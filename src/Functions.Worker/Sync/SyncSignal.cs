using System.Threading.Channels;

namespace Functions.Worker.Sync;

/// <summary>
/// Wakes the synchronizer. Many rings before it wakes collapse into one sync: it always pulls the newest state.
/// </summary>
public sealed class SyncSignal
{
    private readonly Channel<string> _channel =
        Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Ring(string reason) => _channel.Writer.TryWrite(reason);

    internal ChannelReader<string> Reader => _channel.Reader;
}
