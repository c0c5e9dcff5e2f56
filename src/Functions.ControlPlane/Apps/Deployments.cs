using Functions.ControlPlane.Common;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Messaging;
using Functions.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Apps;

/// <summary>
/// Activations (deploy, rollback) and deletions, each one transaction that bumps the generation, and then the
/// doorbell. Lock order, always the same so concurrent calls queue instead of deadlocking: the application's row
/// (<c>FOR UPDATE</c>), then the generation row, then active routes. Postgres constraints are the last word on
/// races (unique release version per app, unique active route, module foreign key).
/// </summary>
internal sealed class Deployments(
    FunctionsDbContext db, DesiredStateNotifier notifier, TimeProvider time, IOptions<ControlPlaneOptions> options,
    ILogger<Deployments> logger)
{
    public async Task<(Activation? Result, ProblemHttpResult? Problem)> DeployAsync(
        string name, IReadOnlyList<ValidatedRoute> routes, CancellationToken cancel)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            var now = time.GetUtcNow();
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO applications (name, created_at, activated_generation) VALUES ({name}, {now}, 0) ON CONFLICT (name) DO NOTHING",
                cancel);
            var application = (await LockAsync(name, cancel))!;
            var generation = await Generation.BumpAsync(db, cancel);
            if (await ConflictsAsync(application.Id, routes.Select(r => r.Route).ToList(), cancel) is { } conflict)
            {
                return (null, conflict);
            }

            var version = 1 + (await db.Releases.Where(r => r.ApplicationId == application.Id)
                .MaxAsync(r => (int?)r.Version, cancel) ?? 0);
            var release = new Release
            {
                ApplicationId = application.Id,
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
                    Files = [.. r.Files.Select((f, j) => new ReleaseRouteFile
                    {
                        Ordinal = j, GuestPath = f.GuestPath, BundleDigest = f.Digest,
                    })],
                })],
            };
            db.Releases.Add(release);
            Activate(application, version, generation, now);
            await db.SaveChangesAsync(cancel);
            await ReplaceActiveRoutesAsync(application.Id, release.Routes, cancel);
            await transaction.CommitAsync(cancel);
            return (Activated(name, version, generation), null);
        }
        catch (Exception e) when (PostgresErrors.IsUniqueViolation(e) || PostgresErrors.IsTransient(e))
        {
            return (null, Problems.ConcurrentChange(name));
        }
        catch (Exception e) when (PostgresErrors.IsForeignKeyViolation(e))
        {
            return (null, ModuleGone(name));
        }
    }

    public async Task<(Activation? Result, ProblemHttpResult? Problem)> RollbackAsync(
        string name, int version, CancellationToken cancel)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            if (await LockAsync(name, cancel) is not { } application)
            {
                return (null, Problems.AppNotFound(name));
            }

            var release = await db.Releases.AsNoTracking().Include(r => r.Routes)
                .SingleOrDefaultAsync(r => r.ApplicationId == application.Id && r.Version == version, cancel);
            if (release is null)
            {
                var latest = await db.Releases.Where(r => r.ApplicationId == application.Id).MaxAsync(r => r.Version, cancel);
                return (null, Problems.NotFound("Release not found",
                    $"Application '{name}' has no release {version}; its releases are 1 to {latest} " +
                    $"(GET /api/v1/apps/{name}/releases)."));
            }

            var digests = release.Routes.Select(r => r.ModuleDigest).Distinct().ToList();
            var present = await db.Modules.Where(m => digests.Contains(m.Digest)).Select(m => m.Digest).ToListAsync(cancel);
            if (digests.Except(present).ToList() is { Count: > 0 } missing)
            {
                return (null, Problems.Conflict("Modules of the release were deleted",
                    $"Release {version} of '{name}' uses modules that have since been deleted: " +
                    $"{string.Join(", ", missing)}. Upload the same .wasm files again (their digests will match), " +
                    "then retry the rollback."));
            }

            // The same volume rules as a deploy, against the volumes root as it is now, not as it was at the release.
            var volumes = release.Routes.SelectMany(r => r.Volumes.Select(v => (r.Route, v)));
            if (DeployValidator.RecheckVolumes(volumes, options.Value.VolumesRoot) is { Count: > 0 } refused)
            {
                return (null, Problems.Conflict("Volumes of the release are no longer allowed",
                    $"Release {version} of '{name}' maps host directories that the volumes rules no longer allow: " +
                    $"{string.Join("; ", refused)}. Deploy a release whose volumes stay under the volumes root instead; " +
                    "nothing was changed."));
            }

            var generation = await Generation.BumpAsync(db, cancel);
            if (await ConflictsAsync(application.Id, release.Routes.Select(r => r.Route).ToList(), cancel) is { } conflict)
            {
                return (null, conflict);
            }

            Activate(application, version, generation, time.GetUtcNow());
            await db.SaveChangesAsync(cancel);
            await ReplaceActiveRoutesAsync(application.Id, release.Routes, cancel);
            await transaction.CommitAsync(cancel);
            return (Activated(name, version, generation), null);
        }
        catch (Exception e) when (PostgresErrors.IsUniqueViolation(e) || PostgresErrors.IsTransient(e))
        {
            return (null, Problems.ConcurrentChange(name));
        }
        catch (Exception e) when (PostgresErrors.IsForeignKeyViolation(e))
        {
            return (null, ModuleGone(name));
        }
    }

    public async Task<(long? Generation, ProblemHttpResult? Problem)> DeleteAsync(string name, CancellationToken cancel)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancel);
            if (await LockAsync(name, cancel) is not { } application)
            {
                return (null, Problems.AppNotFound(name));
            }

            var generation = await Generation.BumpAsync(db, cancel);
            // Releases, their routes and the active routes go with it (ON DELETE CASCADE).
            await db.Applications.Where(a => a.Id == application.Id).ExecuteDeleteAsync(cancel);
            await transaction.CommitAsync(cancel);
            notifier.Notify(generation);
            Log.AppDeleted(logger, name, generation);
            return (generation, null);
        }
        catch (Exception e) when (PostgresErrors.IsTransient(e))
        {
            return (null, Problems.ConcurrentChange(name));
        }
    }

    private Activation Activated(string name, int version, long generation)
    {
        notifier.Notify(generation);
        Log.ReleaseActivated(logger, name, version, generation);
        return new Activation(name, version, generation);
    }

    private static void Activate(Application application, int version, long generation, DateTimeOffset now)
    {
        application.ActiveVersion = version;
        application.ActivatedGeneration = generation;
        application.ActivatedAt = now;
    }

    private async Task<Application?> LockAsync(string name, CancellationToken cancel) =>
        (await db.Applications
            .FromSqlInterpolated($"SELECT * FROM applications WHERE name = {name} FOR UPDATE")
            .ToListAsync(cancel))
        .SingleOrDefault();

    /// <summary>Routes of the request that another active application already serves, as a 409.</summary>
    private async Task<ProblemHttpResult?> ConflictsAsync(long applicationId, List<string> routes, CancellationToken cancel)
    {
        var taken = await (from active in db.ActiveRoutes
                           join other in db.Applications on active.ApplicationId equals other.Id
                           where routes.Contains(active.Route) && active.ApplicationId != applicationId
                           orderby active.Route
                           select new { active.Route, App = other.Name })
            .ToListAsync(cancel);
        if (taken.Count == 0)
        {
            return null;
        }

        var list = string.Join("; ", taken.Select(t => $"route '{t.Route}' is served by application '{t.App}'"));
        return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Route already served by another application",
            Detail = $"{char.ToUpperInvariant(list[0])}{list[1..]}. Routes are unique across active applications: " +
                "remove the route from that application (deploy it without the route, or delete it), or choose another route.",
            Extensions = { ["conflicts"] = taken.Select(t => new { route = t.Route, app = t.App }).ToList() },
        });
    }

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

    private static ProblemHttpResult ModuleGone(string name) => Problems.Conflict(
        "A module or file bundle was deleted meanwhile",
        $"A module or file bundle used by this release of '{name}' was deleted while the request ran; nothing was " +
        "changed. Upload it again and retry.");
}
