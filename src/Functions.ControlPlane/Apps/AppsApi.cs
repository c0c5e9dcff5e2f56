using Functions.ControlPlane.Apps.Checks;
using Functions.ControlPlane.Common;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.OpenApi;
using Functions.ControlPlane.Security;
using Functions.ControlPlane.Workers;
using Functions.Contracts;
using Functions.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Apps;

/// <summary><c>/api/v1/apps</c>: deploy, inspect, roll back and delete applications; watch their rollout.</summary>
public static class AppsApi
{
    public static IEndpointRouteBuilder MapAppsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/apps")
            .WithTags("Apps")
            .RequireAuthorization(ApiKeyRoles.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPut("/{name}", DeployAsync)
            .WithName("DeployApp")
            .WithSummary("Deploy an application: create release n+1 and activate it")
            .WithDescription(
                "Creates the application on its first deploy. Every route must be unique within the application and " +
                "not served by another active application (409 names it). Before anything is stored, the release is " +
                "tried on an engine configured like the workers': a module that imports anything but WASI preview1 " +
                "and outbound HTTP (wasi_experimental_http), " +
                "whose initial memory exceeds the route's memoryMb, whose tables or globals exceed the workers' " +
                "pooling limits, that traps while instantiating (a trial under min(timeoutMs, 2 s)), or whose _routes " +
                "export fails, names a missing export or declares a route already bound (by this request or another " +
                "active application) is refused with 400, each error under the field at fault (e.g. " +
                "routes[1].module) saying what to fix. Nothing is written when any check fails.")
            .WithJsonBody<DeployRequest>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        api.MapGet("/", ListAsync)
            .WithName("ListApps")
            .WithSummary("List applications by name")
            .WithDescription(
                "A page at a time (pageIndex from 0, pageSize 1–100, 20 by default), in name order, with each application's active release version and generation. An application without an active release is listed too.")
            .ProducesValidationProblem();

        api.MapGet("/{name}", GetAsync)
            .WithName("GetApp")
            .WithSummary("One application with its active release and routes")
            .WithDescription(
                "The routes are those of the active release, in the order they were deployed, with their module digests, files, volumes and limits. 404 when no application has this name.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/{name}/releases", ListReleasesAsync)
            .WithName("ListReleases")
            .WithSummary("An application's release history, newest first")
            .WithDescription(
                "A page at a time (pageIndex, pageSize). Releases are immutable: deploying makes release n+1, rolling back activates an earlier one again; `active` marks the one being served.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/{name}/releases/{version:int}", GetReleaseAsync)
            .WithName("GetRelease")
            .WithSummary("One release with its routes")
            .WithDescription(
                "Any release of the application, active or not, exactly as it was deployed: what a rollback to it would serve again.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/{name}/rollback", RollbackAsync)
            .WithName("RollbackApp")
            .WithSummary("Activate an earlier release again (a new generation)")
            .WithDescription(
                "Makes the given release the active one without creating a new release; workers converge on it as on a deploy. 409 when another active application now serves one of its routes; 404 when the application or the release does not exist.")
            .WithJsonBody<RollbackRequest>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapDelete("/{name}", DeleteAsync)
            .WithName("DeleteApp")
            .WithSummary("Deactivate and remove an application; its routes stop being served")
            .WithDescription(
                "Removes the application and its release history and bumps the generation, so workers stop serving its routes. Its modules and file bundles stay stored until deleted on their own.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/{name}/rollout", RolloutAsync)
            .WithName("GetRollout")
            .WithSummary("Per worker node: has it applied the application's current generation, or what went wrong")
            .WithDescription(
                "Each known worker node is `applied`, `pending` or `failed` (with that application's error; another application's failure never counts), and whether it is online (a heartbeat within Functions:WorkerStaleAfter). `pending` counts online workers only: poll until it is 0, as `functions status APP --wait` does.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    internal static async Task<Results<Created<Activation>, ProblemHttpResult>> DeployAsync(
        string name, HttpRequest request, FunctionsDbContext db, Deployments deployments, DeployChecker checker,
        IOptions<ControlPlaneOptions> options)
    {
        if (!AppName.IsValid(name))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["name"] = [$"'{name}' is not valid: {AppName.Rule}."] });
        }

        var (body, problem) = await JsonBody.ReadAsync<DeployRequest>(request);
        if (problem is not null)
        {
            return problem;
        }

        var cancel = request.HttpContext.RequestAborted;
        var (routes, errors) = await DeployValidator.ValidateAsync(body!, db, options.Value, cancel);
        if (errors is not null)
        {
            return Problems.Validation(errors);
        }

        // What only the workers' engine can tell (linking, limits, a trial instantiation, _routes), still before
        // anything is written and outside any transaction.
        if (await checker.CheckAsync(name, routes!, db, cancel) is { } refused)
        {
            return Problems.Validation(refused, "No worker could serve this release: fix the fields listed in 'errors' " +
                "and send the request again. Nothing was stored.");
        }

        return await deployments.DeployAsync(name, routes!, cancel) switch
        {
            DeploymentOutcome.Activated(var activation) =>
                TypedResults.Created($"/api/v1/apps/{name}/releases/{activation.Version}", activation),
            var refusal => DeploymentProblems.For(name, refusal),
        };
    }

    internal static async Task<Results<Ok<PaginatedItems<AppSummary>>, ProblemHttpResult>> ListAsync(
        FunctionsDbContext db, PageRequest page, CancellationToken cancel)
    {
        if (page.Problem is { } problem)
        {
            return problem;
        }

        var count = await db.Applications.LongCountAsync(cancel);
        var items = await page.Apply(db.Applications.AsNoTracking().OrderBy(a => a.Name))
            .Select(a => new AppSummary(a.Name, a.ActiveVersion, a.ActivatedGeneration, a.CreatedAt, a.ActivatedAt))
            .ToListAsync(cancel);
        return TypedResults.Ok(page.Of(count, items));
    }

    internal static async Task<Results<Ok<AppView>, ProblemHttpResult>> GetAsync(
        string name, FunctionsDbContext db, CancellationToken cancel)
    {
        // One round trip: the application, its active release and that release's routes (the busiest read of the API;
        // a second query cost about as much again as the whole request's own work).
        var found = await db.Applications.AsNoTracking()
            .Where(a => a.Name == name)
            .Select(a => new
            {
                Application = a,
                Active = a.Releases.Where(r => r.Version == a.ActiveVersion)
                    .Select(r => new
                    {
                        Release = r,
                        Routes = r.Routes.OrderBy(route => route.Ordinal).ToList(),
                        Files = r.Routes.SelectMany(route => route.Files).ToList(),
                    })
                    .FirstOrDefault(),
            })
            .SingleOrDefaultAsync(cancel);
        if (found is null)
        {
            return Problems.AppNotFound(name);
        }

        var application = found.Application;
        var active = found.Active is { } current ? ToView(application, current.Release, current.Routes, current.Files) : null;
        return TypedResults.Ok(new AppView(
            application.Name, application.CreatedAt, application.ActivatedAt, application.ActivatedGeneration, active));
    }

    internal static async Task<Results<Ok<PaginatedItems<ReleaseSummary>>, ProblemHttpResult>> ListReleasesAsync(
        string name, FunctionsDbContext db, PageRequest page, CancellationToken cancel)
    {
        if (page.Problem is { } problem)
        {
            return problem;
        }

        var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancel);
        if (application is null)
        {
            return Problems.AppNotFound(name);
        }

        var releases = db.Releases.AsNoTracking().Where(r => r.ApplicationId == application.Id);
        var count = await releases.LongCountAsync(cancel);
        var items = await page.Apply(releases.OrderByDescending(r => r.Version))
            .Select(r => new ReleaseSummary(
                r.Version, r.CreatedAt, r.CreatedGeneration, r.Version == application.ActiveVersion, r.Routes.Count))
            .ToListAsync(cancel);
        return TypedResults.Ok(page.Of(count, items));
    }

    internal static async Task<Results<Ok<ReleaseView>, ProblemHttpResult>> GetReleaseAsync(
        string name, int version, FunctionsDbContext db, CancellationToken cancel)
    {
        var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancel);
        if (application is null)
        {
            return Problems.AppNotFound(name);
        }

        return await LoadReleaseAsync(db, application, version, cancel) is { } release
            ? TypedResults.Ok(release)
            : Problems.NotFound("Release not found",
                $"Application '{name}' has no release {version} (GET /api/v1/apps/{name}/releases lists them).");
    }

    internal static async Task<Results<Ok<Activation>, ProblemHttpResult>> RollbackAsync(
        string name, HttpRequest request, Deployments deployments)
    {
        var (body, problem) = await JsonBody.ReadAsync<RollbackRequest>(request);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Version is not ({ } version and > 0))
        {
            return Problems.Validation(new Dictionary<string, string[]>
            {
                ["version"] = ["Give the release to activate as a positive number, e.g. {\"version\": 2}."],
            });
        }

        return await deployments.RollbackAsync(name, version, request.HttpContext.RequestAborted) switch
        {
            DeploymentOutcome.Activated(var activation) => TypedResults.Ok(activation),
            var refusal => DeploymentProblems.For(name, refusal),
        };
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, Deployments deployments, CancellationToken cancel)
    {
        return await deployments.DeleteAsync(name, cancel) switch
        {
            DeploymentOutcome.Deleted => TypedResults.NoContent(),
            var refusal => DeploymentProblems.For(name, refusal),
        };
    }

    internal static async Task<Results<Ok<RolloutView>, ProblemHttpResult>> RolloutAsync(
        string name, FunctionsDbContext db, Workers.WorkerHeartbeats heartbeats, IOptions<ControlPlaneOptions> options,
        TimeProvider time, CancellationToken cancel)
    {
        await heartbeats.FlushAsync(cancel);
        var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Name == name, cancel);
        if (application?.ActiveVersion is not { } version)
        {
            return Problems.AppNotFound(name);
        }

        var target = application.ActivatedGeneration;
        var now = time.GetUtcNow();
        var workers = (await db.WorkerNodes.AsNoTracking().OrderBy(w => w.NodeId).ToListAsync(cancel))
            .Select(w =>
            {
                var (status, error) = RolloutStatus.Of(w, name, version, target);
                return new WorkerRollout(
                    w.NodeId, w.Address, status, WorkerStates.IsOnline(w, now, options.Value), w.AppliedGeneration,
                    w.LastHeartbeat, error);
            })
            .ToList();
        return TypedResults.Ok(new RolloutView(
            name, version, target,
            workers.Count(w => w.Status == RolloutStatus.Applied),
            workers.Count(w => w.Status == RolloutStatus.Pending && w.Online),
            workers.Count(w => w.Status == RolloutStatus.Failed),
            workers));
    }

    private static async Task<ReleaseView?> LoadReleaseAsync(
        FunctionsDbContext db, Application application, int version, CancellationToken cancel)
    {
        var release = await db.Releases.AsNoTracking()
            .Include(r => r.Routes.OrderBy(route => route.Ordinal))
            .ThenInclude(route => route.Files)
            .SingleOrDefaultAsync(r => r.ApplicationId == application.Id && r.Version == version, cancel);
        return release is null ? null : ToView(application, release, release.Routes, release.Routes.SelectMany(r => r.Files));
    }

    private static ReleaseView ToView(
        Application application, Release release, IEnumerable<ReleaseRoute> routes, IEnumerable<ReleaseRouteFile> files)
    {
        var mounts = files.ToLookup(f => f.ReleaseRouteId);
        return new(application.Name, release.Version, release.CreatedAt, release.CreatedGeneration,
            release.Version == application.ActiveVersion,
            [.. routes.Select(r => new RouteView(
                r.Route, r.ModuleDigest, r.Entrypoint, r.Environment, r.Argv,
                [.. r.Volumes.Select(v => new VolumeMount(v.GuestPath, v.HostPath, v.Writable))],
                new RouteLimits(r.TimeoutMs, r.MemoryMb, r.MaxBodyBytes, r.MaxConcurrency),
                mounts[r.Id].OrderBy(f => f.Ordinal).ToDictionary(f => f.GuestPath, f => f.BundleDigest, StringComparer.Ordinal))
            {
                AllowedHosts = r.AllowedHosts,
                MaxOutboundConcurrency = r.MaxOutboundConcurrency,
            })]);
    }
}
