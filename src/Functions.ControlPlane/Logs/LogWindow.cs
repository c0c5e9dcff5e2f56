using System.Threading.Channels;
using Functions.Contracts.Api;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Logs;

/// <summary>
/// Each app's recent log records, as this replica heard them from the bus (each replica has its own queue, so each
/// has every record), and the event streams following them. Bounded: <see cref="LogWindowOptions"/>.
/// </summary>
public sealed class LogWindow(IOptions<LogWindowOptions> options)
{
    private readonly LogWindowOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AppWindow> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Channel<LogEntry>>> _followers = new(StringComparer.Ordinal);
    private long _writes;
    private long _sequence; // one numbering for every app: a window evicted and made again never reuses an id

    /// <summary>Names this process's numbering: an event id of another replica (or an earlier run) is not resumed from.</summary>
    public string Epoch { get; } = Guid.NewGuid().ToString("N")[..8];

    public void Add(string app, IEnumerable<LogRecordView> records)
    {
        lock (_lock)
        {
            if (!_apps.TryGetValue(app, out var window))
            {
                if (_apps.Count >= _options.MaxApps)
                {
                    _apps.Remove(_apps.MinBy(a => a.Value.LastWrite).Key);
                }

                window = new AppWindow();
                _apps[app] = window;
            }

            window.LastWrite = ++_writes;
            _followers.TryGetValue(app, out var followers);
            foreach (var record in records)
            {
                var entry = new LogEntry(++_sequence, record.Text.Length > _options.MaxTextLength
                    ? record with { Text = record.Text[.._options.MaxTextLength] + "…" }
                    : record);
                window.Entries.Enqueue(entry);
                if (window.Entries.Count > _options.RecordsPerApp)
                {
                    window.Entries.Dequeue();
                }

                foreach (var follower in followers ?? [])
                {
                    follower.Writer.TryWrite(entry); // a follower too slow to keep up loses its oldest records
                }
            }
        }
    }

    /// <summary>The window's records that match, oldest first; <see cref="LogFilter.Limit"/> keeps the newest.</summary>
    public IReadOnlyList<LogEntry> Query(string app, LogFilter filter, long afterSequence = 0)
    {
        lock (_lock)
        {
            return Select(app, filter, afterSequence);
        }
    }

    /// <summary>
    /// The records that match now, and a reader of every later one for <paramref name="app"/> (unfiltered: the reader
    /// filters), taken together so that none is missed or seen twice. Dispose the follower to stop.
    /// </summary>
    public LogFollower Follow(string app, LogFilter filter, long afterSequence)
    {
        var channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(_options.RecordsPerApp)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            if (!_followers.TryGetValue(app, out var list))
            {
                _followers[app] = list = [];
            }

            list.Add(channel);
            return new LogFollower(Select(app, filter, afterSequence), channel.Reader, () => Unfollow(app, channel));
        }
    }

    /// <summary>Apps with a window, and records held: for tests and diagnostics.</summary>
    public (int Apps, int Records) Size()
    {
        lock (_lock)
        {
            return (_apps.Count, _apps.Values.Sum(a => a.Entries.Count));
        }
    }

    private List<LogEntry> Select(string app, LogFilter filter, long afterSequence)
    {
        if (!_apps.TryGetValue(app, out var window))
        {
            return [];
        }

        var matching = window.Entries.Where(e => e.Sequence > afterSequence && filter.Matches(e.Record)).ToList();
        return filter.Limit is { } limit && matching.Count > limit ? matching[^limit..] : matching;
    }

    private void Unfollow(string app, Channel<LogEntry> channel)
    {
        lock (_lock)
        {
            if (_followers.TryGetValue(app, out var list) && list.Remove(channel) && list.Count == 0)
            {
                _followers.Remove(app);
            }
        }
    }

    private sealed class AppWindow
    {
        public Queue<LogEntry> Entries { get; } = new();

        public long LastWrite { get; set; }
    }
}

/// <summary>An event stream's view of the window: what matched when it opened, then each new record of the app.</summary>
public sealed class LogFollower(IReadOnlyList<LogEntry> backlog, ChannelReader<LogEntry> next, Action stop) : IDisposable
{
    public IReadOnlyList<LogEntry> Backlog { get; } = backlog;

    public ChannelReader<LogEntry> Next { get; } = next;

    public void Dispose() => stop();
}
