using System.Diagnostics;
using Functions.Contracts;
using Functions.Messaging.Tracing;
using Functions.Runtime;
using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Functions.Worker.Tracing;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Sync;

/// <summary>
/// Converges on the control plane's desired state: at start-up, when the doorbell rings (a message, a reconnect),
/// and on a periodic check, so a lost message only delays a deployment. Each app is applied on its own (see
/// <see cref="StateBuilder"/>): a generation counts as applied even when some apps failed, and those are retried on
/// the periodic check. Only a sync that cannot reach the control plane fails as a whole.
/// </summary>
public sealed partial class StateSynchronizer(
    SyncSignal signal,
    AppliedState applied,
    StateBuilder builder,
    BundleCache bundles,
    ControlPlaneClient controlPlane,
    Heartbeat heartbeat,
    WorkerMetrics metrics,
    IOptions<WorkerOptions> options,
    ILogger<StateSynchronizer> logger) : BackgroundService
{
    public const string PeriodicCheck = "periodic check";

    // The desired state last processed and its ETag: a 304 means it still holds, and failed apps are retried from it.
    private DesiredState? _desired;
    private string? _etag;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        signal.Ring("start-up");
        while (!stoppingToken.IsCancellationRequested)
        {
            // Behind a generation a message announced: the control plane answered an older one (another instance
            // that has not seen the deployment yet), so look again soon rather than at the next poll.
            var reason = await WaitAsync(applied.Status.FailedGeneration is null && applied.IsReady &&
                                         applied.Current.Generation >= signal.Announced
                ? options.Value.PollInterval
                : options.Value.RetryDelay, stoppingToken).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            if (SyncSignal.PullDelay(reason, signal.AnnouncedSpread, options.Value.PullJitter, Random.Shared) is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }

            await SyncOnceAsync(reason, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One pass: pull the desired state (304 while unchanged) and apply the apps that changed. The periodic check
    /// also retries the apps that failed.
    /// </summary>
    public async Task SyncOnceAsync(string reason, CancellationToken cancellationToken)
    {
        long generation = -1;
        using var span = StartSyncSpan(reason, signal.TakeTraceParents());
        try
        {
            var current = applied.Current;
            var ready = applied.IsReady && _desired is not null;
            DesiredStatePull pull;
            using (WorkerActivities.Source.StartActivity("pull desired state"))
            {
                pull = await controlPlane.GetDesiredStateAsync(ready ? _etag : null, cancellationToken).ConfigureAwait(false);
            }

            var desired = pull.State ?? _desired
                ?? throw new InvalidOperationException("The control plane answered 304 to a pull that sent no ETag.");
            generation = desired.Generation;
            span?.SetTag("functions.generation", generation);
            var retryFailed = reason == PeriodicCheck && current.Failures.Count > 0;
            if (ready && desired.Generation == current.Generation && !retryFailed)
            {
                applied.UpToDate();
                bundles.Collect(current, []); // the bundles of pools that were still draining at the last sync
                return;
            }

            using var apply = WorkerActivities.Source.StartActivity("apply generation");
            apply?.SetTag("functions.generation", desired.Generation);
            var next = await builder.BuildAsync(desired, current, retryFailed, cancellationToken).ConfigureAwait(false);
            var previous = applied.Swap(next);
            apply?.SetTag("functions.failed_apps", next.Failures.Count);
            if (next.Failures.Count > 0)
            {
                apply?.SetStatus(ActivityStatusCode.Error, $"{next.Failures.Count} app(s) failed: {string.Join(", ", next.Failures.Keys)}");
            }
            (_desired, _etag) = (desired, pull.ETag);
            metrics.AppliedGeneration.Set(next.Generation);
            metrics.FailedApps.Set(next.Failures.Count);
            LogApplied(next.Generation, next.Apps.Count, next.Routes.Count, next.Failures.Count, reason);
            bundles.Collect(next, RetireUnused(previous, next));
            heartbeat.Ring();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            metrics.SyncFailures.Inc();
            var message = error is HttpRequestException or TaskCanceledException
                ? $"control plane unreachable: {error.Message}"
                : error.Message;
            span?.SetStatus(ActivityStatusCode.Error, message);
            if (generation >= 0)
            {
                applied.Failed(generation, message);
                heartbeat.Ring();
            }

            LogSyncFailed(error, generation, applied.Current.Generation, reason);
        }
    }

    /// <summary>
    /// The sync's span: a child of the newest deploy that rang (so a deploy's trace reaches every worker), linked to the
    /// others that rang since the last sync. A periodic check that no deploy rang is not traced (one root span per
    /// worker every poll interval would drown the deploys).
    /// </summary>
    private static Activity? StartSyncSpan(string reason, List<string> traceParents)
    {
        if (traceParents.Count == 0 && reason == PeriodicCheck)
        {
            return null;
        }

        var contexts = traceParents.Select(TraceExport.ContextOf).Where(context => context != default).ToList();
        var parent = contexts.Count > 0 ? contexts[^1] : default;
        var span = WorkerActivities.Source.StartActivity(ActivityKind.Consumer, parent,
            tags: [new("functions.sync.reason", reason)],
            links: contexts.Count > 1 ? contexts.Select(context => new ActivityLink(context)) : null,
            name: "sync desired state");
        return span;
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
            return PeriodicCheck;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Pools the new state does not use (apps removed or changed) refuse new admissions at once and are disposed when
    /// their last admitted request ends (one that matched its route in the old state is still reading its body, or running).
    /// </summary>
    private static List<FunctionPool> RetireUnused(ServingState previous, ServingState next)
    {
        var retired = new List<FunctionPool>();
        foreach (var (key, pool) in previous.Pools)
        {
            if (!next.Pools.ContainsKey(key))
            {
                pool.DisposeWhenIdle();
                retired.Add(pool);
            }
        }

        return retired;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Applied generation {Generation}: {Apps} apps, {Routes} routes, {Failed} apps failed ({Reason})")]
    private partial void LogApplied(long generation, int apps, int routes, int failed, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Could not apply generation {Generation}; still serving {Served} ({Reason}). It is retried.")]
    private partial void LogSyncFailed(Exception error, long generation, long served, string reason);
}
