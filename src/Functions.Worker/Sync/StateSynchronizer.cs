using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Sync;

/// <summary>
/// Converges on the control plane's desired state: at start-up, when the doorbell rings (a message, a reconnect),
/// and on a periodic check, so a lost message only delays a deployment. A generation is applied whole or not at all.
/// </summary>
public sealed partial class StateSynchronizer(
    SyncSignal signal,
    AppliedState applied,
    StateBuilder builder,
    ControlPlaneClient controlPlane,
    Heartbeat heartbeat,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<StateSynchronizer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        signal.Ring("start-up");
        while (!stoppingToken.IsCancellationRequested)
        {
            var reason = await WaitAsync(applied.Status.FailedGeneration is null && applied.IsReady
                ? options.Value.PollInterval
                : options.Value.RetryDelay, stoppingToken).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            await SyncOnceAsync(reason, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: pull the desired state and apply it if it is newer than what is served.</summary>
    public async Task SyncOnceAsync(string reason, CancellationToken cancellationToken)
    {
        long generation = -1;
        try
        {
            var desired = await controlPlane.GetDesiredStateAsync(cancellationToken).ConfigureAwait(false);
            generation = desired.Generation;
            var current = applied.Current;
            if (desired.Generation == current.Generation && applied.IsReady)
            {
                applied.UpToDate();
                return;
            }

            var next = await builder.BuildAsync(desired, current, cancellationToken).ConfigureAwait(false);
            var previous = applied.Swap(next);
            metrics.AppliedGeneration.Set(next.Generation);
            LogApplied(next.Generation, next.Routes.Count, reason);
            RetireUnused(previous, next);
            heartbeat.Ring();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            metrics.SyncFailures.Inc();
            var message = error is HttpRequestException http
                ? $"control plane unreachable: {http.Message}"
                : error.Message;
            if (generation >= 0)
            {
                applied.Failed(generation, message);
                heartbeat.Ring();
            }

            LogSyncFailed(error, generation, applied.Current.Generation, reason);
        }
    }

    private async Task<string?> WaitAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timer.CancelAfter(timeout);
        try
        {
            return await signal.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return "periodic check";
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Pools the new generation does not use are disposed once their in-flight invocations end.</summary>
    private void RetireUnused(ServingState previous, ServingState next)
    {
        var unused = previous.Pools.Where(p => !next.Pools.ContainsKey(p.Key)).Select(p => p.Value).ToList();
        if (unused.Count == 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            foreach (var pool in unused)
            {
                while (pool.Stats.InFlight > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time).ConfigureAwait(false);
                }

                pool.Dispose();
            }
        });
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied generation {Generation}: {Routes} routes ({Reason})")]
    private partial void LogApplied(long generation, int routes, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Could not apply generation {Generation}; still serving {Served} ({Reason}). It is retried; fix the deployment if the error names it.")]
    private partial void LogSyncFailed(Exception error, long generation, long served, string reason);
}
