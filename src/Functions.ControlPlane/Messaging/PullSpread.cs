using Functions.ControlPlane.Hosting;
using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Messaging;

/// <summary>
/// Sizes the window over which the fleet spreads its pulls after a deployment's message by the number of live workers:
/// a two-worker installation pulls at once, a thousand workers over about a second (see
/// <see cref="ControlPlaneOptions.PullSpreadPerWorker"/>). Live means heard from within
/// <see cref="ControlPlaneOptions.WorkerStaleAfter"/>, counted in Postgres so that every instance's nodes count.
/// </summary>
internal sealed class PullSpread(
    IServiceScopeFactory scopes, IOptions<ControlPlaneOptions> options, TimeProvider time, ILogger<PullSpread> logger)
{
    /// <summary>The spread for <paramref name="liveWorkers"/>, in whole milliseconds.</summary>
    public static int For(int liveWorkers, ControlPlaneOptions options)
    {
        if (liveWorkers <= options.PullSpreadMinWorkers)
        {
            return 0;
        }

        var spread = Math.Min(options.PullSpreadPerWorker.TotalMilliseconds * liveWorkers, options.PullSpreadMax.TotalMilliseconds);
        return (int)Math.Round(spread);
    }

    /// <summary>
    /// The spread for the live workers now. When they cannot be counted the widest spread is sent: an unknown fleet
    /// may be a large one.
    /// </summary>
    public async Task<int> NowAsync(CancellationToken cancel)
    {
        var settings = options.Value;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FunctionsDbContext>();
            var since = time.GetUtcNow() - settings.WorkerStaleAfter;
            var live = await db.WorkerNodes.CountAsync(w => w.LastHeartbeat >= since, cancel);
            return For(live, settings);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            Log.LiveWorkersUncounted(logger, e);
            return (int)Math.Round(settings.PullSpreadMax.TotalMilliseconds);
        }
    }
}
