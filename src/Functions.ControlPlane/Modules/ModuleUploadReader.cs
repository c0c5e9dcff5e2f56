using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Functions.ControlPlane.Common;

namespace Functions.ControlPlane.Modules;

/// <summary>
/// Reads an uploaded module from either a raw body (<c>application/wasm</c>) or the <c>file</c> field of a
/// multipart form (what Swagger UI sends), streaming and counting so an oversized upload is refused with 413 as
/// soon as it passes the limit, without buffering it whole or spilling it to disk.
/// </summary>
internal static class ModuleUploadReader
{
    public const string FormField = "file";

    // Form framing around the file: boundaries and part headers.
    private const long MultipartSlack = 64 * 1024;

    public static async Task<(byte[]? Bytes, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long limit)
    {
        var tooLarge = Problems.TooLarge(
            $"Modules may be at most {limit} bytes ({limit / (1024.0 * 1024.0):0.#} MiB); raise Functions:MaxModuleBytes " +
            "to accept larger ones, or shrink the module (build in release mode, strip debug info with `wasm-strip` or " +
            "`wasm-opt -Os`).");
        var isForm = request.HasFormContentType;
        if (request.ContentLength is { } declared && declared > limit + (isForm ? MultipartSlack : 0))
        {
            return (null, tooLarge);
        }

        // Kestrel's default body limit (30 MB) would cut a legal upload short; this endpoint counts for itself.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + MultipartSlack;
        }

        var cancel = request.HttpContext.RequestAborted;
        Stream? body = request.Body;
        byte[]? bytes;
        try
        {
            if (isForm)
            {
                body = await FindFileSectionAsync(request, cancel);
                if (body is null)
                {
                    return (null, Problems.BadRequest(
                        "No module in the form",
                        $"Send the module as the multipart form field '{FormField}' (e.g. curl -F {FormField}=@hello.wasm), " +
                        "or as the raw request body with Content-Type: application/wasm."));
                }
            }

            bytes = await ReadLimitedAsync(body, limit, cancel);
        }
        catch (Exception e) when (isForm && e is IOException or InvalidDataException && !cancel.IsCancellationRequested)
        {
            // MultipartReader's words for a form cut short or framed wrongly (a missing closing boundary, part
            // headers that end early, a boundary over 70 characters).
            return (null, Problems.BadRequest(
                "Malformed multipart form",
                $"The multipart form could not be read ({e.Message.TrimEnd('.')}): it was cut short or is not framed " +
                $"by its boundary. Send the whole form with the module as the field '{FormField}' (curl -F " +
                $"{FormField}=@hello.wasm), or the raw bytes with Content-Type: application/wasm."));
        }

        if (bytes is null)
        {
            return (null, tooLarge);
        }

        if (bytes.Length == 0)
        {
            return (null, Problems.BadRequest(
                "The module is empty",
                "The upload had no bytes: send the contents of a .wasm file (curl --data-binary @hello.wasm " +
                "-H 'Content-Type: application/wasm', or -F file=@hello.wasm)."));
        }

        return (bytes, null);
    }

    private static async Task<Stream?> FindFileSectionAsync(HttpRequest request, CancellationToken cancel)
    {
        var boundary = HeaderUtilities.RemoveQuotes(
            MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return null;
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(cancel) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) &&
                disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase) &&
                HeaderUtilities.RemoveQuotes(disposition.Name).Value == FormField)
            {
                return section.Body;
            }
        }

        return null;
    }

    /// <summary>The whole stream, or null as soon as it proves longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream stream, long limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancel)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
