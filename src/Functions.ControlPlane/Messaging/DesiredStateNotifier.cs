using System.Threading.Channels;
using Functions.ControlPlane.Hosting;
using Functions.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Messaging;

/// <summary>
/// Rings the doorbell after a commit. Requests only hand over the new generation and return; this service
/// publishes <see cref="DesiredStateChanged"/> for the newest generation it was given, and keeps retrying with
/// backoff while the broker is down, so an outage delays deployments (workers also poll) but never fails a request.
/// </summary>
internal sealed class DesiredStateNotifier(
    IServiceProvider services,
    Internal.CurrentGeneration generations,
    IOptions<ControlPlaneOptions> options,
    TimeProvider time,
    ILogger<DesiredStateNotifier> logger) : BackgroundService
{
    // Only the newest generation matters: a newer one replaces an unpublished older one.
    private readonly Channel<long> _pending = Channel.CreateBounded<long>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private long _published;
    private Exception? _lastError;

    /// <summary>The last generation published successfully (0 before the first).</summary>
    public long PublishedGeneration => Interlocked.Read(ref _published);

    public void Notify(long generation)
    {
        // Before the doorbell: a notified worker's pull must find the new generation here.
        generations.Advance(generation);
        _pending.Writer.TryWrite(generation);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long latest = 0;
        while (await _pending.Reader.WaitToReadAsync(stoppingToken))
        {
            while (_pending.Reader.TryRead(out var generation))
            {
                latest = Math.Max(latest, generation);
            }

            var attempt = 0;
            while (latest > PublishedGeneration && !stoppingToken.IsCancellationRequested)
            {
                attempt++;
                if (await TryPublishAsync(latest, stoppingToken))
                {
                    Interlocked.Exchange(ref _published, latest);
                    break;
                }

                var delay = Backoff(attempt);
                Log.PublishFailed(logger, _lastError!, latest, attempt, delay);
                latest = Math.Max(latest, await WaitForNewerAsync(delay, stoppingToken));
            }
        }
    }

    private async Task<bool> TryPublishAsync(long generation, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            // IBus, not IPublishEndpoint: the latter is scoped, and this service lives at the root.
            var bus = services.GetRequiredService<IBus>();
            await bus.Publish(new DesiredStateChanged(generation, time.GetUtcNow()), timeout.Token);
            Log.Published(logger, generation);
            return true;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            _lastError = e;
            return false;
        }
    }

    /// <summary>Waits out the backoff, returning early with a newer generation if one arrives meanwhile.</summary>
    private async Task<long> WaitForNewerAsync(TimeSpan delay, CancellationToken stoppingToken)
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

        return _pending.Reader.TryRead(out var newer) ? newer : 0;
    }

    private TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(Math.Pow(2, attempt - 1), options.Value.PublishRetryMaxDelay.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
