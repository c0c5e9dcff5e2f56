using Functions.ControlPlane.Common;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Modules.Registries;
using Functions.ControlPlane.OpenApi;
using Functions.ControlPlane.Security;
using Functions.Data;
using Functions.Modules;
using Functions.Oci;
using Functions.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Modules;

/// <summary><c>/api/v1/modules</c>: upload, list, read, download and delete WebAssembly modules.</summary>
public static class ModulesApi
{
    public static IEndpointRouteBuilder MapModulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/modules")
            .WithTags("Modules")
            .RequireAuthorization(ApiKeyRoles.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/", UploadAsync)
            .WithName("UploadModule")
            .WithSummary("Upload a WebAssembly module")
            .WithDescription(
                "Send the module as the raw body (`Content-Type: application/wasm`) or as the multipart form field " +
                "`file`. It must be a WASI preview1 core module that Wasmtime compiles and that exports at least one " +
                "function with no parameters and no results (usually `_start`). Modules are content-addressed: the " +
                "same bytes again answer 200 with the existing module.")
            .DisableAntiforgery()
            .WithMetadata(new ModuleUploadMarker())
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        api.MapPost("/pull", PullAsync)
            .WithName("PullModule")
            .WithSummary("Pull a WebAssembly module from an OCI registry")
            .WithDescription(
                "Body: `{\"reference\": \"HOST[:PORT]/REPOSITORY[:TAG]\"}` (or `…@sha256:HEX`). The control plane " +
                "resolves the manifest (an OCI image manifest or index), picks the Wasm layer " +
                "(`application/vnd.wasm.content.layer.v1+wasm`, `application/vnd.module.wasm.content.layer.v1+wasm`, or " +
                "a single `application/wasm` layer), streams it while verifying its digest and size, checks it exactly " +
                "as an upload is checked, and stores it with its source (the reference and the manifest digest). Answers " +
                "201 with the new module, or 200 when these bytes were stored already (their source is updated). " +
                "Credentials for a registry come from the control plane's configuration (`Functions:Registries`), never " +
                "from the request. On any error nothing is stored: 400 for an invalid reference or module, 404 when the " +
                "repository or tag does not exist, 413 for a module over `Functions:MaxModuleBytes`, 422 for a manifest " +
                "without a Wasm layer or content that does not match its digest, 502 naming the registry when it cannot " +
                "be reached or refuses the credentials.")
            .WithJsonBody<ModulePullRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        api.MapGet("/", ListAsync)
            .WithName("ListModules")
            .WithSummary("List modules, newest first")
            .WithDescription(
                "A page at a time (pageIndex from 0, pageSize 1–100, 20 by default): each module's digest, size, upload time and what validation found (its exports and imports).")
            .ProducesValidationProblem();

        api.MapGet("/{digest}", GetAsync)
            .WithName("GetModule")
            .WithSummary("One module's metadata")
            .WithDescription("`digest` is `sha256:<hex>` (or just the hex).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet("/{digest}/content", (HttpContext context, FunctionsDbContext db, string digest) =>
                ModuleContent.SendAsync(context, db, digest))
            .WithName("GetModuleContent")
            .WithSummary("Download a module's bytes")
            .WithDescription("The ETag is the digest; the response is immutable and may be cached forever.")
            .Produces(StatusCodes.Status200OK, contentType: ModuleContent.MediaType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/{digest}", DeleteAsync)
            .WithName("DeleteModule")
            .WithSummary("Delete a module")
            .WithDescription("Refused with 409 while an active release of any application uses the module.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        return app;
    }

    internal static async Task<Results<Created<ModuleView>, Ok<ModuleView>, ProblemHttpResult>> UploadAsync(
        HttpRequest request, ModuleStore store, IOptions<ControlPlaneOptions> options)
    {
        var (bytes, problem) = await ModuleUploadReader.ReadAsync(request, options.Value.MaxModuleBytes);
        if (problem is not null)
        {
            return problem;
        }

        return Answer(await store.AddAsync(bytes!, source: null, request.HttpContext.RequestAborted));
    }

    internal static async Task<Results<Created<ModuleView>, Ok<ModuleView>, ProblemHttpResult>> PullAsync(
        HttpRequest request, ModulePuller puller, IOptions<ControlPlaneOptions> options, ILogger<ModulePuller> logger)
    {
        var (body, problem) = await JsonBody.ReadAsync<ModulePullRequest>(request);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Reference))
        {
            return Problems.Validation(new Dictionary<string, string[]>
            {
                ["reference"] = ["Give the module's reference, e.g. {\"reference\": \"registry.example.com/team/hello:1.0\"}."],
            });
        }

        if (!OciReference.TryParse(body.Reference.Trim(), out var reference, out var error))
        {
            return Problems.Validation(new Dictionary<string, string[]>
            {
                ["reference"] = [$"{error?.TrimEnd('.')}. Give HOST[:PORT]/REPOSITORY[:TAG] or HOST[:PORT]/REPOSITORY@sha256:HEX, " +
                    "e.g. registry.example.com/team/hello:1.0 (the registry host is required)."],
            });
        }

        try
        {
            return Answer(await puller.PullAsync(reference!, request.HttpContext.RequestAborted));
        }
        catch (OciException e)
        {
            Log.PullFailed(logger, reference!.ToString(), e.Registry, e.Kind.ToString(), e.Message);
            return RegistryProblems.From(e, options.Value.MaxModuleBytes);
        }
    }

    /// <summary>201 with a new module, 200 with the one already stored, 400 saying why the bytes are not a module.</summary>
    internal static Results<Created<ModuleView>, Ok<ModuleView>, ProblemHttpResult> Answer(ModuleAddOutcome outcome) =>
        outcome switch
        {
            ModuleAddOutcome.Created(var module) => TypedResults.Created($"/api/v1/modules/{module.Digest}", module),
            ModuleAddOutcome.Existing(var module) => TypedResults.Ok(module),
            ModuleAddOutcome.Invalid(var error) => Invalid(error),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome}."),
        };

    private static ProblemHttpResult Invalid(InspectionError error) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = error.Kind switch
            {
                InspectionErrorKind.Empty => "The module is empty",
                InspectionErrorKind.NotWebAssembly => "Not a WebAssembly module",
                InspectionErrorKind.Component => "Components are not supported",
                InspectionErrorKind.NoEntrypoint => "The module has no entrypoint",
                _ => "The module does not compile",
            },
            Detail = error.Message,
            Extensions = { ["reason"] = error.Kind.ToString() },
        });

    internal static async Task<Results<Ok<PaginatedItems<ModuleView>>, ProblemHttpResult>> ListAsync(
        FunctionsDbContext db, PageRequest page, CancellationToken cancel)
    {
        if (page.Problem is { } problem)
        {
            return problem;
        }

        var count = await db.Modules.LongCountAsync(cancel);
        var items = await page.Apply(Summaries(db.Modules.OrderByDescending(m => m.UploadedAt).ThenBy(m => m.Digest)))
            .ToListAsync(cancel);
        return TypedResults.Ok(page.Of(count, items));
    }

    internal static async Task<Results<Ok<ModuleView>, ProblemHttpResult>> GetAsync(
        string digest, FunctionsDbContext db, CancellationToken cancel)
    {
        var normalized = ModuleDigest.Normalize(digest);
        if (normalized is null)
        {
            return Problems.BadRequest("Invalid digest", $"'{digest}' is not a module digest: {ModuleDigest.FormatHint}.");
        }

        return await FindAsync(db, normalized, cancel) is { } module
            ? TypedResults.Ok(module)
            : Problems.ModuleNotFound(normalized);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string digest, FunctionsDbContext db, ILogger<ModuleInspector> logger, CancellationToken cancel)
    {
        var normalized = ModuleDigest.Normalize(digest);
        if (normalized is null)
        {
            return Problems.BadRequest("Invalid digest", $"'{digest}' is not a module digest: {ModuleDigest.FormatHint}.");
        }

        var users = await ActiveUsersAsync(db, normalized, cancel);
        if (users.Count > 0)
        {
            return InUse(normalized, users);
        }

        try
        {
            var deleted = await db.Modules.Where(m => m.Digest == normalized).ExecuteDeleteAsync(cancel);
            if (deleted == 0)
            {
                return Problems.ModuleNotFound(normalized);
            }
        }
        catch (Exception e) when (Data.PostgresErrors.IsForeignKeyViolation(e))
        {
            // A deploy activated it between the check and the delete; the foreign key kept it.
            return InUse(normalized, await ActiveUsersAsync(db, normalized, cancel));
        }

        Log.ModuleDeleted(logger, normalized);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult InUse(string digest, IReadOnlyList<string> users) => Problems.Conflict(
        "The module is in use",
        $"Module '{digest}' is used by active releases ({string.Join(", ", users)}). Deploy those applications " +
        "without it, or delete them, before deleting the module.");

    private static async Task<List<string>> ActiveUsersAsync(FunctionsDbContext db, string digest, CancellationToken cancel) =>
        await (from active in db.ActiveRoutes
               join application in db.Applications on active.ApplicationId equals application.Id
               where active.ModuleDigest == digest
               orderby application.Name, active.Route
               select "app '" + application.Name + "' route '" + active.Route + "'")
            .ToListAsync(cancel);

    internal static Task<ModuleView?> FindAsync(FunctionsDbContext db, string digest, CancellationToken cancel) =>
        Summaries(db.Modules.Where(m => m.Digest == digest)).SingleOrDefaultAsync(cancel);

    // Never loads the bytes.
    private static IQueryable<ModuleView> Summaries(IQueryable<StoredModule> modules) => modules.Select(ModuleViews.Projection);
}

/// <summary>Marks the upload endpoint so the OpenAPI filter can describe its two body formats.</summary>
internal sealed class ModuleUploadMarker;
