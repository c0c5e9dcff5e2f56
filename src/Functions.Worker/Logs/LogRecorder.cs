using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Functions.Contracts.Api;
using Functions.Worker.Hosting;
using Functions.Worker.Serving;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Logs;

/// <summary>
/// The invocation side of log forwarding: turns a function's stderr lines and an invocation's events into records and
/// queues them for <see cref="LogPublisher"/>. Synchronous and never waiting: a record over its route's rate, or one
/// the full queue cannot take, is dropped and counted.
/// </summary>
public sealed class LogRecorder
{
    public const string StderrStream = "stderr";
    public const string EventStream = "event";

    private readonly LogOptions _options;
    private readonly string _worker;
    private readonly LogMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Channel<LogRecordView> _queue;
    // Keyed by the served route itself: a redeploy's new route starts a fresh bucket, a retired one takes its bucket along.
    private readonly ConditionalWeakTable<ServedRoute, Buckets> _buckets = [];
    private readonly ConditionalWeakTable<ServedRoute, Buckets>.CreateValueCallback _newBuckets;

    public LogRecorder(IOptions<LogOptions> options, IOptions<WorkerOptions> worker, LogMetrics metrics, TimeProvider time)
    {
        _options = options.Value;
        _worker = worker.Value.NodeId;
        _metrics = metrics;
        _time = time;
        _queue = Channel.CreateBounded<LogRecordView>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: the record is dropped, nobody waits
            SingleReader = true,
        });
        _newBuckets = _ => new Buckets(
            new TokenBucket(_options.RecordsPerSecond, _options.Burst, _time),
            new TokenBucket(_options.RecordsPerSecond, _options.Burst, _time));
    }

    public ChannelReader<LogRecordView> Reader => _queue.Reader;

    /// <summary>Each line the function wrote to stderr, in order.</summary>
    public void Stderr(ServedRoute route, string requestId, IReadOnlyList<string> lines)
    {
        if (!_options.Enabled || lines.Count == 0)
        {
            return;
        }

        var bucket = _buckets.GetValue(route, _newBuckets).Stderr;
        foreach (var line in lines)
        {
            Record(route, bucket, requestId, StderrStream, line);
        }
    }

    /// <summary>A platform event of the invocation: how it ended, what it was answered, why it was refused.</summary>
    public void Event(ServedRoute route, string requestId, string text)
    {
        if (_options.Enabled)
        {
            Record(route, _buckets.GetValue(route, _newBuckets).Events, requestId, EventStream, text);
        }
    }

    private void Record(ServedRoute route, TokenBucket bucket, string requestId, string stream, string text)
    {
        if (!bucket.TryTake(out var refused))
        {
            _metrics.Dropped.WithLabels(route.Label, "rate").Inc();
            return;
        }

        if (refused > 0)
        {
            Enqueue(route, requestId, EventStream,
                $"{refused} {stream} record{(refused == 1 ? " was" : "s were")} dropped before this one: the route is over " +
                $"{_options.RecordsPerSecond:0.##} per second (Worker:Logs:RecordsPerSecond, Worker:Logs:Burst)");
        }

        // The cap is for what functions write; the platform's own events are short and say what the operator needs.
        if (stream == StderrStream && text.Length > _options.MaxLineLength)
        {
            _metrics.Truncated.WithLabels(route.Label).Inc();
            text = $"{text[.._options.MaxLineLength]}… ({text.Length - _options.MaxLineLength} more characters cut, Worker:Logs:MaxLineLength)";
        }

        Enqueue(route, requestId, stream, text);
    }

    private void Enqueue(ServedRoute route, string requestId, string stream, string text)
    {
        var record = new LogRecordView
        {
            Time = _time.GetUtcNow(),
            Worker = _worker,
            App = route.Binding.App,
            Route = route.Label,
            RequestId = requestId,
            Stream = stream,
            Text = text,
        };
        if (!_queue.Writer.TryWrite(record))
        {
            _metrics.Dropped.WithLabels(route.Label, "queue_full").Inc();
        }
    }

    private sealed record Buckets(TokenBucket Stderr, TokenBucket Events);
}
