using System.Net;

namespace Functions.Cli.Api;

/// <summary>
/// Streams a file as the request body in chunks, reporting the bytes sent so far, so a large upload shows progress
/// and is never held in memory whole.
/// </summary>
internal sealed class ProgressContent(string path, IProgress<long>? progress) : HttpContent
{
    private const int ChunkSize = 64 * 1024;

    private readonly long length = new FileInfo(path).Length;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: true);
        var buffer = new byte[ChunkSize];
        long sent = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            sent += read;
            progress?.Report(sent);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = this.length;
        return true;
    }
}
