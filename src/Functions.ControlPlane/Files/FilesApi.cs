using Functions.ControlPlane.Common;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Security;
using Functions.Data;
using Functions.Files;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Files;

/// <summary><c>/api/v1/files</c>: upload, list, read and delete file bundles that routes mount read-only.</summary>
public static class FilesApi
{
    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/files")
            .WithTags("Files")
            .RequireAuthorization(ApiKeyRoles.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/", UploadAsync)
            .WithName("UploadFiles")
            .WithSummary("Upload a file bundle (a tar or a gzip-compressed tar)")
            .WithDescription(
                "Send the archive as the raw body with `Content-Type: application/x-tar` or `application/gzip`. It is " +
                "checked (no absolute paths or `..`, no links out of the bundle, no hard links, devices or FIFOs, no " +
                "duplicate paths, within Functions:Files:MaxArchiveBytes, MaxUnpackedBytes and MaxEntries) and stored in " +
                "canonical form: the digest depends only on the paths, bytes and modes, not on member order, times, " +
                "owners or compression. The same content again answers 200 with the stored bundle. Mount it on a " +
                "route with `\"files\": {\"/guest/path\": \"<digest>\"}`.")
            .DisableAntiforgery()
            .WithMetadata(new FileBundleUploadMarker())
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        api.MapGet("/", ListAsync)
            .WithName("ListFiles")
            .WithSummary("List file bundles, newest first")
            .WithDescription(
                "A page at a time (pageIndex from 0, pageSize 1–100, 20 by default): each bundle's digest, size, file count and upload time, without its listing.")
            .ProducesValidationProblem();

        api.MapGet("/{digest}", GetAsync)
            .WithName("GetFiles")
            .WithSummary("One file bundle with a page of its listing (pageIndex, pageSize), in path order")
            .WithDescription(
                "`digest` is `sha256:<hex>` (or just the hex). Each entry gives its path, size and permission bits; the listing pages independently of the bundle's totals.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/{digest}", DeleteAsync)
            .WithName("DeleteFiles")
            .WithSummary("Delete a file bundle")
            .WithDescription("Refused with 409, naming them, while any release of any application (active or not) mounts it.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    internal static async Task<Results<Created<FileBundleView>, Ok<FileBundleView>, ProblemHttpResult>> UploadAsync(
        HttpRequest request, FunctionsDbContext db, IFileBundleStore store, IOptions<ControlPlaneOptions> options,
        TimeProvider time, ILogger<FileBundleOptions> logger)
    {
        var files = options.Value.Files;
        if (ArchiveUpload.Check(request, files) is { } refused)
        {
            return refused;
        }

        var cancel = request.HttpContext.RequestAborted;
        var scratch = files.Scratch;
        Directory.CreateDirectory(scratch);
        // The canonical tar, deleted when the request ends, whatever happens.
        await using var canonical = ScratchFile.Create(Path.Combine(scratch, $"functions-bundle-{Guid.NewGuid():N}.tar"));

        BundleSummary summary;
        try
        {
            var body = new ArchiveLimitStream(request.Body, files.MaxArchiveBytes);
            summary = await BundleCanonicalizer.CanonicalizeAsync(body, canonical, files.Limits, scratch, cancel);
        }
        catch (Exception e) when (ArchiveTooLargeException.In(e) ||
                                  e is BundleFormatException { LimitSetting: BundleLimits.MaxArchiveBytesSetting })
        {
            return ArchiveUpload.TooLarge(files.MaxArchiveBytes);
        }
        catch (BundleFormatException e)
        {
            return ArchiveUpload.NotABundle(e);
        }

        canonical.Position = 0;
        if (await store.AddAsync(summary, canonical, cancel))
        {
            Log.FilesUploaded(logger, summary.Digest, summary.FileCount, summary.UnpackedBytes);
            return TypedResults.Created(
                $"/api/v1/files/{summary.Digest}", FileBundleViews.From(summary, canonical.Length, time.GetUtcNow()));
        }

        // Already stored (or stored by a concurrent upload of the same content): theirs is ours.
        var existing = await FindAsync(db, summary.Digest, cancel)
            ?? FileBundleViews.From(summary, canonical.Length, time.GetUtcNow());
        return TypedResults.Ok(existing);
    }

    internal static async Task<Results<Ok<PaginatedItems<FileBundleView>>, ProblemHttpResult>> ListAsync(
        FunctionsDbContext db, PageRequest page, CancellationToken cancel)
    {
        if (page.Problem is { } problem)
        {
            return problem;
        }

        var count = await db.FileBundles.LongCountAsync(cancel);
        var items = await page.Apply(db.FileBundles.AsNoTracking().OrderByDescending(b => b.CreatedAt).ThenBy(b => b.Digest))
            .Select(FileBundleViews.Projection)
            .ToListAsync(cancel);
        return TypedResults.Ok(page.Of(count, items));
    }

    internal static async Task<Results<Ok<FileBundleDetail>, ProblemHttpResult>> GetAsync(
        string digest, FunctionsDbContext db, PageRequest page, CancellationToken cancel)
    {
        if (Normalize(digest, out var invalid) is not { } normalized)
        {
            return invalid!;
        }

        if (page.Problem is { } problem)
        {
            return problem;
        }

        if (await FindAsync(db, normalized, cancel) is not { } bundle)
        {
            return NotFound(normalized);
        }

        var entries = await page.Apply(db.FileBundleEntries.AsNoTracking()
                .Where(e => e.Digest == normalized)
                .OrderBy(e => e.Ordinal))
            .Select(e => new FileEntryView(e.Path, e.Kind, e.Mode, e.Size, e.LinkTarget))
            .ToListAsync(cancel);
        return TypedResults.Ok(new FileBundleDetail(bundle, page.Of(bundle.Entries, entries)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string digest, FunctionsDbContext db, IFileBundleStore store, ILogger<FileBundleOptions> logger, CancellationToken cancel)
    {
        if (Normalize(digest, out var invalid) is not { } normalized)
        {
            return invalid!;
        }

        switch (await store.DeleteAsync(normalized, cancel))
        {
            case FileBundleDeletion.NotFound:
                return NotFound(normalized);
            case FileBundleDeletion.InUse:
                return await InUseAsync(db, normalized, cancel);
            default:
                Log.FilesDeleted(logger, normalized);
                return TypedResults.NoContent();
        }
    }

    private static async Task<ProblemHttpResult> InUseAsync(FunctionsDbContext db, string digest, CancellationToken cancel)
    {
        var users = await (from file in db.ReleaseRouteFiles
                           join route in db.ReleaseRoutes on file.ReleaseRouteId equals route.Id
                           join release in db.Releases on route.ReleaseId equals release.Id
                           join application in db.Applications on release.ApplicationId equals application.Id
                           where file.BundleDigest == digest
                           orderby application.Name, release.Version descending, route.Route, file.GuestPath
                           select new
                           {
                               app = application.Name,
                               release = release.Version,
                               active = release.Version == application.ActiveVersion,
                               route = route.Route,
                               guestPath = file.GuestPath,
                           })
            .ToListAsync(cancel);
        var releases = users
            .Select(u => $"app '{u.app}' release {u.release}{(u.active ? " (active)" : "")}")
            .Distinct()
            .ToList();
        return TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The file bundle is in use",
            Detail = $"File bundle '{digest}' is mounted by {string.Join(", ", releases)}. Releases are kept for " +
                "rollback, so a bundle stays while any release mounts it: delete those applications (their releases go " +
                "with them) before deleting the bundle.",
            Extensions = { ["usedBy"] = users },
        });
    }

    private static string? Normalize(string digest, out ProblemHttpResult? problem)
    {
        var normalized = BundleDigest.Normalize(digest);
        problem = normalized is null
            ? Problems.BadRequest("Invalid digest", $"'{digest}' is not a file bundle digest: {BundleDigest.FormatHint}.")
            : null;
        return normalized;
    }

    internal static ProblemHttpResult NotFound(string digest) => Problems.NotFound(
        "File bundle not found",
        $"There is no file bundle with digest '{digest}'. Upload it with POST /api/v1/files; list them with GET /api/v1/files.");

    private static Task<FileBundleView?> FindAsync(FunctionsDbContext db, string digest, CancellationToken cancel) =>
        db.FileBundles.AsNoTracking().Where(b => b.Digest == digest).Select(FileBundleViews.Projection).SingleOrDefaultAsync(cancel);
}

/// <summary>Marks the upload endpoint so the OpenAPI filter can describe its tar body.</summary>
internal sealed class FileBundleUploadMarker;
