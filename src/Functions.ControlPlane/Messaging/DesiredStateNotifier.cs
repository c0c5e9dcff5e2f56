using System.Diagnostics;
using System.Threading.Channels;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Observability;
using Functions.Contracts;
using Functions.Messaging.Tracing;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Messaging;

/// <summary>
/// Rings the doorbell after a commit. Requests only hand over the new generation and return; this service
/// publishes <see cref="DesiredStateChanged"/> for the newest generation it was given, and keeps retrying with
/// backoff while the broker is down, so an outage delays deployments (workers also poll) but never fails a request.
/// The publish span is a child of the deploy that asked (when traced), and the message carries its trace context and
/// the window over which the fleet should spread its pulls (<see cref="PullSpread"/>).
/// </summary>
internal sealed class DesiredStateNotifier(
    IServiceProvider services,
    Internal.CurrentGeneration generations,
    PullSpread spread,
    IOptions<ControlPlaneOptions> options,
    TimeProvider time,
    ILogger<DesiredStateNotifier> logger) : BackgroundService
{
    // Only the newest generation matters: a newer one replaces an unpublished older one.
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private long _published;
    private Exception? _lastError;

    /// <summary>The last generation published successfully (0 before the first).</summary>
    public long PublishedGeneration => Interlocked.Read(ref _published);

    /// <summary>Hands over a committed generation; the caller's span, when recorded, becomes the publish span's parent.</summary>
    public void Notify(long generation)
    {
        // Before the doorbell: a notified worker's pull must find the new generation here.
        generations.Advance(generation);
        _pending.Writer.TryWrite(new(generation, Activity.Current is { Recorded: true } caller ? TraceExport.TraceParentOf(caller) : null));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var latest = new Pending(0, null);
        while (await _pending.Reader.WaitToReadAsync(stoppingToken))
        {
            while (_pending.Reader.TryRead(out var pending))
            {
                latest = Newer(latest, pending);
            }

            var attempt = 0;
            while (latest.Generation > PublishedGeneration && !stoppingToken.IsCancellationRequested)
            {
                attempt++;
                if (await TryPublishAsync(latest, stoppingToken))
                {
                    Interlocked.Exchange(ref _published, latest.Generation);
                    break;
                }

                var delay = Backoff(attempt);
                Log.PublishFailed(logger, _lastError!, latest.Generation, attempt, delay);
                latest = Newer(latest, await WaitForNewerAsync(delay, stoppingToken));
            }
        }
    }

    private static Pending Newer(Pending a, Pending? b) => b is not null && b.Generation > a.Generation ? b : a;

    private async Task<bool> TryPublishAsync(Pending pending, CancellationToken stoppingToken)
    {
        var generation = pending.Generation;
        using var span = ControlPlaneActivities.Source.StartActivity("publish DesiredStateChanged", ActivityKind.Producer,
            TraceExport.ContextOf(pending.TraceParent));
        span?.SetTag("functions.generation", generation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            // IBus, not IPublishEndpoint: the latter is scoped, and this service lives at the root.
            var bus = services.GetRequiredService<IBus>();
            var traceParent = TraceExport.TraceParentOf(span) ?? pending.TraceParent;
            var spreadMs = await spread.NowAsync(timeout.Token);
            span?.SetTag("functions.pull_spread_ms", spreadMs);
            await bus.Publish(new DesiredStateChanged(generation, time.GetUtcNow(), traceParent, spreadMs), timeout.Token);
            Log.Published(logger, generation);
            return true;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            _lastError = e;
            return false;
        }
    }

    /// <summary>Waits out the backoff, returning early with a newer generation if one arrives meanwhile.</summary>
    private async Task<Pending?> WaitForNewerAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(delay);
        try
        {
            await _pending.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The backoff ran out with nothing newer: retry the same generation.
        }

        return _pending.Reader.TryRead(out var newer) ? newer : null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(Math.Pow(2, attempt - 1), options.Value.PublishRetryMaxDelay.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    private sealed record Pending(long Generation, string? TraceParent);
}
