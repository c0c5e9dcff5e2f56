using System.Data;
using Functions.ControlPlane.Data;
using Functions.Contracts;
using Functions.Data;
using Microsoft.EntityFrameworkCore;

namespace Functions.ControlPlane.Internal;

/// <summary>
/// Reads every active route at one generation. The generation and the routes come from one snapshot, so a worker
/// never sees routes of generation n+1 labelled n. The state of a generation never changes, so the last one read
/// is kept and served again to every worker that polls until the generation moves.
/// </summary>
internal sealed class DesiredStateReader(FunctionsDbContext db, DesiredStateCache cache, CurrentGeneration generations)
{
    public async Task<DesiredState> ReadAsync(CancellationToken cancel)
    {
        // The current generation from memory (see CurrentGeneration): a pull of an unchanged state touches no table.
        var current = await generations.GetAsync(db, cancel);
        if (cache.Get(current) is { } cached)
        {
            return cached;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancel);
        var generation = await Generation.CurrentAsync(db, cancel);
        var rows = await (from active in db.ActiveRoutes
                          join route in db.ReleaseRoutes on active.ReleaseRouteId equals route.Id
                          join release in db.Releases on route.ReleaseId equals release.Id
                          join application in db.Applications on active.ApplicationId equals application.Id
                          join module in db.Modules on active.ModuleDigest equals module.Digest
                          orderby active.Route
                          select new { App = application.Name, release.Version, route, module.Exports })
            .AsNoTracking()
            .ToListAsync(cancel);
        var files = (await (from file in db.ReleaseRouteFiles
                            join active in db.ActiveRoutes on file.ReleaseRouteId equals active.ReleaseRouteId
                            orderby file.ReleaseRouteId, file.Ordinal
                            select file)
                .AsNoTracking()
                .ToListAsync(cancel))
            .ToLookup(f => f.ReleaseRouteId, f => new FileMount(f.GuestPath, f.BundleDigest));
        await transaction.CommitAsync(cancel);
        generations.Advance(generation);

        var state = new DesiredState(generation, [.. rows.Select(r => new RouteBinding(
            r.App,
            r.Version,
            r.route.Route,
            r.route.ModuleDigest,
            r.route.Entrypoint,
            r.route.Environment,
            r.route.Argv,
            [.. r.route.Volumes.Select(v => new VolumeMount(v.GuestPath, v.HostPath, v.Writable))],
            new RouteLimits(r.route.TimeoutMs, r.route.MemoryMb, r.route.MaxBodyBytes, r.route.MaxConcurrency),
            r.Exports,
            [.. files[r.route.Id]],
            r.route.AllowedHosts,
            r.route.MaxOutboundConcurrency))]);
        cache.Set(state);
        return state;
    }
}

/// <summary>The newest desired state read, swapped atomically; readers never see a half-built one.</summary>
internal sealed class DesiredStateCache
{
    private DesiredState? _state;

    public DesiredState? Get(long generation) => Volatile.Read(ref _state) is { } s && s.Generation == generation ? s : null;

    public void Set(DesiredState state)
    {
        // Only move forward: a slow reader must not replace a newer state with an older one.
        DesiredState? seen;
        do
        {
            seen = Volatile.Read(ref _state);
            if (seen is not null && seen.Generation >= state.Generation)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _state, state, seen) != seen);
    }
}
