using System.Text.Json;
using Functions.ControlPlane.Common;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Modules;
using Functions.ControlPlane.OpenApi;
using Functions.ControlPlane.Security;
using Functions.Contracts;
using Functions.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Functions.ControlPlane.Internal;

/// <summary>
/// <c>/internal/v1</c>: what workers read and report, with the worker key (the admin key works too).
/// </summary>
public static class InternalApi
{
    public const int MaxNodeIdLength = 253;

    // The same shape JsonColumn reads back (web defaults: camelCase).
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

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
            .Produces(StatusCodes.Status200OK, contentType: ModuleContent.MediaType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/workers/heartbeat", HeartbeatAsync)
            .WithName("WorkerHeartbeat")
            .WithSummary("A worker reports who it is and which generation it applied")
            .WithJsonBody<WorkerReport>()
            .ProducesValidationProblem();

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
        HttpRequest request, FunctionsDbContext db, TimeProvider time)
    {
        var (report, problem) = await JsonBody.ReadAsync<WorkerReport>(request);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(report!.NodeId) || report.NodeId.Length > MaxNodeIdLength)
        {
            errors["nodeId"] = [$"nodeId is the worker's stable id, 1–{MaxNodeIdLength} characters."];
        }

        if (report.Address is null || report.Version is null)
        {
            errors["address"] = ["address and version are required (the worker's HTTP address and software version)."];
        }

        if (report.AppliedGeneration < 0)
        {
            errors["appliedGeneration"] = ["appliedGeneration cannot be negative (0 before the first sync)."];
        }

        if (report.FailedApps?.Any(f => f is null || string.IsNullOrEmpty(f.App) || f.Error is null) == true)
        {
            errors["failedApps"] = ["Each failed app needs its app name, the release that failed and the error."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var cancel = request.HttpContext.RequestAborted;
        var now = time.GetUtcNow();
        // An older worker sends no failedApps: it applies whole generations, so it has none to report.
        var failedApps = JsonSerializer.Serialize(
            (report.FailedApps ?? []).Select(f => new WorkerAppFailure(f.App, f.Release, f.Error)), JsonOptions);
        // Clock skew between nodes makes the worker's SentAt unreliable: the control plane's clock decides.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO worker_nodes (node_id, address, version, first_seen, last_heartbeat, applied_generation, failed_generation, last_error, failed_apps)
            VALUES ({report.NodeId}, {report.Address}, {report.Version}, {now}, {now}, {report.AppliedGeneration}, {report.FailedGeneration}, {report.LastError}, CAST({failedApps} AS jsonb))
            ON CONFLICT (node_id) DO UPDATE SET
                address = excluded.address, version = excluded.version, last_heartbeat = excluded.last_heartbeat,
                applied_generation = excluded.applied_generation, failed_generation = excluded.failed_generation,
                last_error = excluded.last_error, failed_apps = excluded.failed_apps
            """, cancel);
        return TypedResults.Ok(new HeartbeatResponse(await Generation.CurrentAsync(db, cancel)));
    }
}
