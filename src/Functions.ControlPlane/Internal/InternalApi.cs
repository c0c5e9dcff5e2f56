using Functions.ControlPlane.Common;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Files;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Modules;
using Functions.ControlPlane.OpenApi;
using Functions.ControlPlane.Security;
using Functions.ControlPlane.Workers;
using Functions.Contracts;
using Functions.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Functions.ControlPlane.Internal;

/// <summary>
/// <c>/internal/v1</c>: what workers read and report, with the worker key (the admin key works too).
/// </summary>
public static class InternalApi
{
    public static IEndpointRouteBuilder MapInternalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal/v1")
            .WithTags("Internal (workers)")
            .RequireAuthorization(ApiKeyRoles.WorkerPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        api.MapGet("/desired-state", DesiredStateAsync)
            .WithName("GetDesiredState")
            .WithSummary("Every active route at the current generation")
            .WithDescription("The ETag is the generation (\"g<n>\"): send it as If-None-Match to get 304 while nothing changed.")
            .Produces(StatusCodes.Status304NotModified);

        api.MapGet("/modules/{digest}/content", (HttpContext context, FunctionsDbContext db, string digest) =>
                ModuleContent.SendAsync(context, db, digest))
            .WithName("GetModuleContentForWorkers")
            .WithSummary("A module's bytes, immutable; the ETag is the digest")
            .WithDescription(
                "For workers (the worker key): the bytes of a module a route of the desired state names. Send the digest as If-None-Match to get 304.")
            .Produces(StatusCodes.Status200OK, contentType: ModuleContent.MediaType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/files/{digest}/content", (HttpContext context, IFileBundleStore store, string digest) =>
                FileBundleContentSender.SendAsync(context, store, digest))
            .WithName("GetFilesContentForWorkers")
            .WithSummary("A file bundle's canonical tar, immutable; the ETag is the digest")
            .WithDescription(
                "For workers (the worker key): the canonical tar of a bundle a route of the desired state mounts; the worker verifies the digest while unpacking it. Send the digest as If-None-Match to get 304.")
            .Produces(StatusCodes.Status200OK, contentType: ArchiveUpload.TarMediaType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/workers/heartbeat", HeartbeatAsync)
            .WithName("WorkerHeartbeat")
            .WithSummary("A worker reports who it is and which generation it applied")
            .WithDescription(
                "For workers (the worker key), every few seconds: node id, address, version, applied and failed generations and each app it could not apply. Answers the current generation, so a worker that missed a doorbell catches up. 409 when the control plane already records Functions:MaxWorkers nodes.")
            .WithJsonBody<WorkerReport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    internal static async Task<Results<Ok<DesiredState>, StatusCodeHttpResult>> DesiredStateAsync(
        HttpContext context, DesiredStateReader reader)
    {
        var state = await reader.ReadAsync(context.RequestAborted);
        var etag = new EntityTagHeaderValue($"\"g{state.Generation}\"");
        context.Response.Headers.ETag = etag.ToString();
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } ifNoneMatch &&
            ifNoneMatch.Any(tag => tag.Compare(etag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(state);
    }

    internal static async Task<Results<Ok<HeartbeatResponse>, ProblemHttpResult>> HeartbeatAsync(
        HttpRequest request, FunctionsDbContext db, WorkerRegistry registry, CurrentGeneration generations,
        IOptions<ControlPlaneOptions> options)
    {
        var (report, problem) = await JsonBody.ReadAsync<WorkerReport>(request);
        if (problem is not null)
        {
            return problem;
        }

        if (WorkerReportRules.Check(report!) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }

        var cancel = request.HttpContext.RequestAborted;
        if (!await registry.RecordAsync(report!, cancel))
        {
            var max = options.Value.MaxWorkers;
            return Problems.Conflict(
                "Too many worker nodes",
                $"The control plane already records {max} worker nodes (Functions:MaxWorkers), so the new node " +
                $"'{report!.NodeId}' was not recorded; known nodes keep reporting. Nodes not heard from for " +
                $"Functions:WorkerExpireAfter ({options.Value.WorkerExpireAfter}) are forgotten, freeing their places; " +
                "give each worker a stable Worker:NodeId so restarts do not add nodes, or raise Functions:MaxWorkers.");
        }

        return TypedResults.Ok(new HeartbeatResponse(await generations.GetAsync(db, cancel)));
    }
}
