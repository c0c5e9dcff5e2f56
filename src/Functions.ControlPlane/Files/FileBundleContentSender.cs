using Functions.ControlPlane.Common;
using Functions.Files;

namespace Functions.ControlPlane.Files;

/// <summary>
/// Streams a bundle's canonical tar from the store to the response, a chunk at a time. The digest is the ETag and the
/// content never changes, so a matching If-None-Match is a 304 and the answer may be cached forever.
/// </summary>
internal static class FileBundleContentSender
{
    public static async Task<IResult> SendAsync(HttpContext context, IFileBundleStore store, string digestText)
    {
        var digest = BundleDigest.Normalize(digestText);
        if (digest is null)
        {
            return Problems.BadRequest("Invalid digest", $"'{digestText}' is not a file bundle digest: {BundleDigest.FormatHint}.");
        }

        var cancel = context.RequestAborted;
        await using var content = await store.OpenReadAsync(digest, cancel);
        if (content is null)
        {
            return FilesApi.NotFound(digest);
        }

        var response = context.Response;
        if (ImmutableContent.AlreadyCached(context, digest))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ArchiveUpload.TarMediaType;
        response.ContentLength = content.Length;
        await content.Content.CopyToAsync(response.Body, cancel);
        return TypedResults.Empty;
    }
}
