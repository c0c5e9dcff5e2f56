using System.Buffers;
using System.Security.Cryptography;

namespace Functions.Oci;

/// <summary>Streams a blob into a destination through a fixed buffer, hashing and counting, and checks both at the end.</summary>
internal static class BlobCopy
{
    private const int BufferSize = 64 * 1024;

    /// <summary>The digest of what was read, as <c>sha256:HEX</c>.</summary>
    public static string Digest(IncrementalHash hash) => "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());

    public static async Task CopyVerifiedAsync(Stream source, Stream destination, OciDescriptor expected, long maxBytes, string registry, CancellationToken cancel)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            int read;
            while ((read = await ReadAsync(source, buffer, registry, expected, cancel).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new OciException(OciErrorKind.TooLarge, registry,
                        $"The layer {expected.Digest} from registry {registry} is larger than the {maxBytes}-byte limit for a module.");
                }

                if (total > expected.Size)
                {
                    throw new OciException(OciErrorKind.SizeMismatch, registry,
                        $"Registry {registry} sent more than the {expected.Size} bytes the manifest gives for layer {expected.Digest}. The manifest is wrong or the registry is corrupt: push the artifact again.");
                }

                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (total != expected.Size)
        {
            throw new OciException(OciErrorKind.SizeMismatch, registry,
                $"Registry {registry} sent {total} bytes for layer {expected.Digest}, and the manifest says {expected.Size}. The manifest is wrong or the registry is corrupt: push the artifact again.");
        }

        var actual = Digest(hash);
        if (actual != expected.Digest)
        {
            throw new OciException(OciErrorKind.DigestMismatch, registry,
                $"The layer registry {registry} sent has digest {actual}, and the manifest names {expected.Digest}. Nothing was kept; the registry or something between it and here altered the content.");
        }
    }

    private static async ValueTask<int> ReadAsync(Stream source, byte[] buffer, string registry, OciDescriptor expected, CancellationToken cancel)
    {
        try
        {
            return await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new OciException(OciErrorKind.Unreachable, registry, $"Registry {registry} broke off sending layer {expected.Digest}: {e.Message}", e);
        }
    }
}
