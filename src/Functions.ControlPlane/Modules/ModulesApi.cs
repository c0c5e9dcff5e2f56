using Functions.ControlPlane.Common;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Security;
using Functions.Data;
using Functions.Modules;
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
        HttpRequest request,
        FunctionsDbContext db,
        ModuleInspector inspector,
        Apps.Checks.DeployChecker checker,
        IOptions<ControlPlaneOptions> options,
        TimeProvider time,
        ILogger<ModuleInspector> logger)
    {
        var (bytes, problem) = await ModuleUploadReader.ReadAsync(request, options.Value.MaxModuleBytes);
        if (problem is not null)
        {
            return problem;
        }

        var cancel = request.HttpContext.RequestAborted;
        var digest = ModuleDigest.Of(bytes!);
        if (await FindAsync(db, digest, cancel) is { } existing)
        {
            return TypedResults.Ok(existing);
        }

        // Compiled once, on the workers' engine (the deploy checks'), where the deploy that follows finds it.
        var compiled = await Task.Run(() => checker.TryCompile(digest, bytes!), cancel);
        var inspection = inspector.Inspect(bytes!, compiled);
        if (inspection.Error is { } error)
        {
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
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
        }

        var info = inspection.Module!;
        var module = new StoredModule
        {
            Digest = digest,
            Content = bytes!,
            Size = bytes!.Length,
            UploadedAt = time.GetUtcNow(),
            Exports = [.. info.Exports],
            Entrypoints = [.. info.Entrypoints],
            Imports = [.. info.Imports.Select(i => new Functions.Data.ModuleImport(i.Module, i.Name, i.Kind))],
        };
        db.Modules.Add(module);
        try
        {
            await db.SaveChangesAsync(cancel);
        }
        catch (DbUpdateException e) when (Data.PostgresErrors.IsUniqueViolation(e))
        {
            // The same bytes were uploaded concurrently: theirs is ours.
            db.ChangeTracker.Clear();
            return TypedResults.Ok((await FindAsync(db, digest, cancel))!);
        }

        Log.ModuleUploaded(logger, digest, module.Size);
        return TypedResults.Created($"/api/v1/modules/{digest}", ModuleViews.From(module));
    }

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

    private static Task<ModuleView?> FindAsync(FunctionsDbContext db, string digest, CancellationToken cancel) =>
        Summaries(db.Modules.Where(m => m.Digest == digest)).SingleOrDefaultAsync(cancel);

    // Never loads the bytes.
    private static IQueryable<ModuleView> Summaries(IQueryable<StoredModule> modules) => modules.Select(ModuleViews.Projection);
}

/// <summary>Marks the upload endpoint so the OpenAPI filter can describe its two body formats.</summary>
internal sealed class ModuleUploadMarker;
