using Functions.Files;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Functions.ControlPlane.Files;

/// <summary>
/// The checks of an archive upload before any byte is read (media type, declared length), and the counting stream
/// that stops one at <see cref="FileBundleOptions.MaxArchiveBytes"/> as it is read.
/// </summary>
internal static class ArchiveUpload
{
    public const string TarMediaType = "application/x-tar";

    public static readonly string[] MediaTypes = [TarMediaType, "application/gzip", "application/x-gzip"];

    // Kestrel's own limit sits above ours, so that ours (with its message) always trips first.
    private const long KestrelSlack = 1 << 20;

    /// <summary>415 or 413 when the request cannot be a bundle; otherwise lifts Kestrel's body limit to ours.</summary>
    public static ProblemHttpResult? Check(HttpRequest request, FileBundleOptions options)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !MediaTypes.Contains(mediaType.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            var given = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{request.ContentType}'";
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "Unsupported content type",
                Detail = $"The request has {given}. Send the bundle as the raw body: a tar with 'Content-Type: " +
                    $"{TarMediaType}', or a gzip-compressed tar with 'Content-Type: application/gzip' (e.g. tar -czf " +
                    "site.tgz -C site . && curl --data-binary @site.tgz -H 'Content-Type: application/gzip' …).",
            });
        }

        if (request.ContentLength is { } declared && declared > options.MaxArchiveBytes)
        {
            return TooLarge(options.MaxArchiveBytes);
        }

        // Kestrel's default (30 MB) would cut a legal archive short.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxArchiveBytes + KestrelSlack;
        }

        return null;
    }

    public static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "The archive is too large",
        Detail = $"Archives may be at most {limit} bytes ({limit / (1024.0 * 1024.0):0.#} MiB) as sent; raise " +
            $"{BundleLimits.MaxArchiveBytesSetting} to accept larger ones, or compress the tar (application/gzip) or " +
            "split the files into several bundles mounted at different guest paths.",
        Extensions = { ["setting"] = BundleLimits.MaxArchiveBytesSetting },
    });

    public static ProblemHttpResult NotABundle(BundleFormatException e)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The archive is not an acceptable bundle",
            Detail = e.Message + " Nothing was stored.",
        };
        if (e.EntryPath is { } entry)
        {
            problem.Extensions["entry"] = entry;
        }

        if (e.LimitSetting is { } setting)
        {
            problem.Extensions["setting"] = setting;
        }

        return TypedResults.Problem(problem);
    }
}

/// <summary>Thrown by <see cref="ArchiveLimitStream"/> once more than the limit was sent.</summary>
internal sealed class ArchiveTooLargeException(long limit) : Exception($"The archive is larger than {limit} bytes.")
{
    public static bool In(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ArchiveTooLargeException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Reads at most <c>limit + 1</c> bytes of the upload and throws as soon as the one past the limit arrives.</summary>
internal sealed class ArchiveLimitStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(Cap(buffer), cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(Cap(buffer.AsMemory(offset, count)).Span));

    // Never asks for more than one byte past the limit, so Kestrel's own limit above it is never reached first.
    private Memory<byte> Cap(Memory<byte> buffer) => buffer[..(int)Math.Min(buffer.Length, limit + 1 - _read)];

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new ArchiveTooLargeException(limit) : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
