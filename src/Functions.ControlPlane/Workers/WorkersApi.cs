using Functions.ControlPlane.Common;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Security;
using Functions.Contracts;
using Functions.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Workers;

/// <summary><c>/api/v1/workers</c>: the worker nodes and how far each one is.</summary>
public static class WorkersApi
{
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/workers", ListAsync)
            .WithTags("Workers")
            .WithName("ListWorkers")
            .WithSummary("Worker nodes by id, a page at a time: address, version, last heartbeat, applied generation, failed apps, state")
            .WithDescription("Nodes not heard from for Functions:WorkerExpireAfter (1 hour by default) are forgotten.")
            .ProducesValidationProblem()
            .RequireAuthorization(ApiKeyRoles.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    internal static async Task<Results<Ok<WorkerList>, ProblemHttpResult>> ListAsync(
        FunctionsDbContext db, WorkerHeartbeats heartbeats, PageRequest page, IOptions<ControlPlaneOptions> options,
        TimeProvider time, CancellationToken cancel)
    {
        if (page.Problem is { } problem)
        {
            return problem;
        }

        await heartbeats.FlushAsync(cancel);
        var generation = await Generation.CurrentAsync(db, cancel);
        var now = time.GetUtcNow();
        var count = await db.WorkerNodes.LongCountAsync(cancel);
        var workers = await page.Apply(db.WorkerNodes.AsNoTracking().OrderBy(w => w.NodeId)).ToListAsync(cancel);
        return TypedResults.Ok(new WorkerList(generation, page.PageIndex, page.PageSize, count, [.. workers.Select(w => new WorkerView(
            w.NodeId, w.Address, w.Version, w.LastHeartbeat, w.AppliedGeneration, w.FailedGeneration, w.LastError,
            [.. w.FailedApps.Select(f => new AppFailure(f.App, f.Release, f.Error))],
            WorkerStates.Of(w, generation, now, options.Value)))]));
    }
}
