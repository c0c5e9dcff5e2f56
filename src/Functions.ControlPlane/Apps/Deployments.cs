using Functions.ControlPlane.Data;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Messaging;
using Functions.ControlPlane.Observability;
using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Functions.ControlPlane.Apps.DeploymentOutcome;

namespace Functions.ControlPlane.Apps;

/// <summary>
/// Activations (deploy, rollback) and deletions, each one transaction that bumps the generation, and then the
/// doorbell. Lock order, always the same so concurrent calls queue instead of deadlocking: the application's row
/// (<c>FOR UPDATE</c>), then the generation row, then active routes. Postgres constraints are the last word on
/// races (unique release version per app, unique active route, module foreign key). Answers are
/// <see cref="DeploymentOutcome"/>s; HTTP is the API's business.
/// </summary>
internal sealed class Deployments(
    FunctionsDbContext db, DesiredStateNotifier notifier, TimeProvider time, IOptions<ControlPlaneOptions> options,
    ILogger<Deployments> logger)
{
    /// <summary>Creates the application if need be, then release n+1 of <paramref name="routes"/>, and activates it.</summary>
    public Task<DeploymentOutcome> DeployAsync(string name, IReadOnlyList<ValidatedRoute> routes, CancellationToken cancel) =>
        ActivateAsync(name, createApplication: true, async (application, now) =>
        {
            var version = 1 + (await db.Releases.Where(r => r.ApplicationId == application.Id)
                .MaxAsync(r => (int?)r.Version, cancel) ?? 0);
            return (new Candidate(
                [.. routes.Select(r => r.Route)],
                generation => db.Releases.Add(NewRelease(application.Id, version, now, generation, routes)).Entity), null);
        }, cancel);

    /// <summary>Activates release <paramref name="version"/> again, if its modules and volumes still allow it.</summary>
    public Task<DeploymentOutcome> RollbackAsync(string name, int version, CancellationToken cancel) =>
        ActivateAsync(name, createApplication: false, async (application, _) =>
        {
            var release = await db.Releases.AsNoTracking().Include(r => r.Routes)
                .SingleOrDefaultAsync(r => r.ApplicationId == application.Id && r.Version == version, cancel);
            if (release is null)
            {
                var latest = await db.Releases.Where(r => r.ApplicationId == application.Id).MaxAsync(r => r.Version, cancel);
                return (null, new ReleaseNotFound(version, latest));
            }

            var digests = release.Routes.Select(r => r.ModuleDigest).Distinct().ToList();
            var present = await db.Modules.Where(m => digests.Contains(m.Digest)).Select(m => m.Digest).ToListAsync(cancel);
            if (digests.Except(present).ToList() is { Count: > 0 } missing)
            {
                return (null, new ModulesDeleted(version, missing));
            }

            // The same volume rules as a deploy, against the volumes root as it is now, not as it was at the release.
            var volumes = release.Routes.SelectMany(r => r.Volumes.Select(v => (r.Route, v)));
            if (DeployValidator.RecheckVolumes(volumes, options.Value.VolumesRoot) is { Count: > 0 } refused)
            {
                return (null, new VolumesRefused(version, refused));
            }

            return (new Candidate([.. release.Routes.Select(r => r.Route)], _ => release), null);
        }, cancel);

    public async Task<DeploymentOutcome> DeleteAsync(string name, CancellationToken cancel)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            if (await LockAsync(name, cancel) is not { } application)
            {
                return new AppNotFound();
            }

            var generation = await Generation.BumpAsync(db, cancel);
            // Releases, their routes and the active routes go with it (ON DELETE CASCADE).
            await db.Applications.Where(a => a.Id == application.Id).ExecuteDeleteAsync(cancel);
            await transaction.CommitAsync(cancel);
            notifier.Notify(generation);
            Log.AppDeleted(logger, name, generation);
            return new Deleted(generation);
        }
        catch (Exception e) when (PostgresErrors.IsTransient(e))
        {
            return new ConcurrentChange();
        }
    }

    /// <summary>
    /// The one activation transaction: lock the application, let <paramref name="choose"/> pick the release or
    /// refuse, bump the generation, refuse routes other applications serve, make the release active with its routes,
    /// commit, and ring the doorbell.
    /// </summary>
    private async Task<DeploymentOutcome> ActivateAsync(
        string name, bool createApplication,
        Func<Application, DateTimeOffset, Task<(Candidate? Release, DeploymentOutcome? Refusal)>> choose,
        CancellationToken cancel)
    {
        using var span = ControlPlaneActivities.Source.StartActivity(createApplication ? "deploy" : "rollback");
        span?.SetTag("functions.app", name);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            var now = time.GetUtcNow();
            if (createApplication)
            {
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO applications (name, created_at, activated_generation) VALUES ({name}, {now}, 0) ON CONFLICT (name) DO NOTHING",
                    cancel);
            }

            if (await LockAsync(name, cancel) is not { } application)
            {
                return new AppNotFound();
            }

            var (candidate, refusal) = await choose(application, now);
            if (refusal is not null)
            {
                return refusal;
            }

            var generation = await Generation.BumpAsync(db, cancel);
            if (await TakenAsync(application.Id, candidate!.Routes, cancel) is { Count: > 0 } taken)
            {
                return new RoutesTaken(taken);
            }

            var release = candidate.AtGeneration(generation);
            application.ActiveVersion = release.Version;
            application.ActivatedGeneration = generation;
            application.ActivatedAt = now;
            await db.SaveChangesAsync(cancel);
            await ReplaceActiveRoutesAsync(application.Id, release.Routes, cancel);
            await transaction.CommitAsync(cancel);
            span?.SetTag("functions.release", release.Version);
            span?.SetTag("functions.generation", generation);
            notifier.Notify(generation);
            Log.ReleaseActivated(logger, name, release.Version, generation);
            return new Activated(new Activation(name, release.Version, generation));
        }
        catch (Exception e) when (PostgresErrors.IsUniqueViolation(e) || PostgresErrors.IsTransient(e))
        {
            return new ConcurrentChange();
        }
        catch (Exception e) when (PostgresErrors.IsForeignKeyViolation(e))
        {
            return new ReferenceGone();
        }
    }

    private static Release NewRelease(
        long applicationId, int version, DateTimeOffset now, long generation, IReadOnlyList<ValidatedRoute> routes) => new()
    {
        ApplicationId = applicationId,
        Version = version,
        CreatedAt = now,
        CreatedGeneration = generation,
        Routes = [.. routes.Select((r, i) => new ReleaseRoute
        {
            Ordinal = i,
            Route = r.Route,
            ModuleDigest = r.ModuleDigest,
            Entrypoint = r.Entrypoint,
            Environment = r.Environment,
            Argv = r.Argv,
            Volumes = r.Volumes,
            TimeoutMs = r.Limits.TimeoutMs,
            MemoryMb = r.Limits.MemoryMb,
            MaxBodyBytes = r.Limits.MaxBodyBytes,
            MaxConcurrency = r.Limits.MaxConcurrency,
            AllowedHosts = [.. r.AllowedHosts],
            MaxOutboundConcurrency = r.MaxOutboundConcurrency,
            Files = [.. r.Files.Select((f, j) => new ReleaseRouteFile
            {
                Ordinal = j, GuestPath = f.GuestPath, BundleDigest = f.Digest,
            })],
        })],
    };

    private async Task<Application?> LockAsync(string name, CancellationToken cancel) =>
        (await db.Applications
            .FromSqlInterpolated($"SELECT * FROM applications WHERE name = {name} FOR UPDATE")
            .ToListAsync(cancel))
        .SingleOrDefault();

    /// <summary>Routes of the request that another active application already serves, by route.</summary>
    private async Task<List<TakenRoute>> TakenAsync(long applicationId, IReadOnlyList<string> routes, CancellationToken cancel) =>
        await (from active in db.ActiveRoutes
               join other in db.Applications on active.ApplicationId equals other.Id
               where routes.Contains(active.Route) && active.ApplicationId != applicationId
               orderby active.Route
               select new TakenRoute(active.Route, other.Name))
            .ToListAsync(cancel);

    private async Task ReplaceActiveRoutesAsync(long applicationId, IEnumerable<ReleaseRoute> routes, CancellationToken cancel)
    {
        await db.ActiveRoutes.Where(a => a.ApplicationId == applicationId).ExecuteDeleteAsync(cancel);
        // Sorted, so that two transactions never wait on each other's routes in opposite orders.
        db.ActiveRoutes.AddRange(routes.OrderBy(r => r.Route, StringComparer.Ordinal).Select(r => new ActiveRoute
        {
            Route = r.Route,
            ApplicationId = applicationId,
            ReleaseRouteId = r.Id,
            ModuleDigest = r.ModuleDigest,
        }));
        await db.SaveChangesAsync(cancel);
    }

    /// <summary>
    /// The release an activation chose: its routes, checked against other applications' once the generation is
    /// bumped, and the release itself at that generation (a new one is created at it; a stored one is as it was).
    /// </summary>
    private sealed record Candidate(IReadOnlyList<string> Routes, Func<long, Release> AtGeneration);
}
