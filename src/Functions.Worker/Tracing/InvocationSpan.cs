using System.Diagnostics;
using Functions.Runtime;
using Functions.Worker.Serving;

namespace Functions.Worker.Tracing;

/// <summary>What the invocation span says: which route, app and module ran, how it ended, and where its time went.</summary>
internal static class InvocationSpan
{
    /// <summary>Tags <paramref name="span"/>; <paramref name="invocation"/> is the time from handing the invocation to the pool to its result (queueing plus running).</summary>
    public static void Describe(Activity span, ServedRoute route, string requestId, InvocationResult result, TimeSpan invocation)
    {
        var running = result.Elapsed;
        var queued = invocation > running ? invocation - running : TimeSpan.Zero;
        span.SetTag("functions.app", route.Binding.App);
        span.SetTag("functions.release", route.Binding.Release);
        span.SetTag("functions.route", route.Label);
        span.SetTag("functions.module.digest", route.Binding.ModuleDigest);
        span.SetTag("functions.request_id", requestId);
        span.SetTag("functions.outcome", result.Outcome.ToString());
        span.SetTag("functions.exit_code", result.ExitCode);
        span.SetTag("functions.pool_hit", result.PoolHit);
        span.SetTag("functions.queued_ms", queued.TotalMilliseconds);
        span.SetTag("functions.running_ms", running.TotalMilliseconds);
        if (result.Outcome is InvocationOutcome.Completed)
        {
            span.SetStatus(ActivityStatusCode.Ok);
        }
        else
        {
            span.SetStatus(ActivityStatusCode.Error, result.Detail ?? $"{result.Outcome}, exit code {result.ExitCode}");
        }
    }
}
