using Functions.ControlPlane.Hosting;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Workers;

/// <summary>
/// Every <see cref="ControlPlaneOptions.WorkerSweepInterval"/>, forgets the worker nodes not heard from for
/// <see cref="ControlPlaneOptions.WorkerExpireAfter"/>. Several control plane instances may sweep at once: the delete
/// is idempotent.
/// </summary>
internal sealed class WorkerExpiry(
    IServiceScopeFactory scopes, IOptions<ControlPlaneOptions> options, TimeProvider time, ILogger<WorkerExpiry> logger)
    : BackgroundService
{
    /// <summary>One sweep; how many nodes it forgot.</summary>
    public async Task<int> SweepAsync(CancellationToken cancel)
    {
        await using var scope = scopes.CreateAsyncScope();
        var forgotten = await scope.ServiceProvider.GetRequiredService<WorkerRegistry>().ForgetStaleAsync(cancel);
        if (forgotten > 0)
        {
            Log.WorkersExpired(logger, forgotten, options.Value.WorkerExpireAfter);
        }

        return forgotten;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WorkerSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be down for a while: the next tick tries again.
                Log.WorkerSweepFailed(logger, e);
            }
        }
    }
}
