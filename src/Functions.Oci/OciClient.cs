using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Functions.Oci;

/// <summary>
/// Pulls and pushes Wasm modules over the OCI distribution API. Keep one instance per process (it caches registry
/// tokens per registry and scope until they expire); its <see cref="HttpClient"/> should be long-lived too.
/// </summary>
public sealed class OciClient(HttpClient http, OciRegistrySettings settings)
{
    private const long DefaultUploadChunkBytes = 16 * 1024 * 1024;
    private static readonly string[] IndexPlatforms = ["wasi/wasm", "wasip1/wasm", "wasip2/wasm", "linux/wasm"];

    private readonly TokenCache tokens = new(TimeProvider.System);

    /// <summary>Blobs larger than this are uploaded in <c>PATCH</c> chunks of this size; smaller ones in a single <c>PUT</c>.</summary>
    public long UploadChunkBytes { get; init; } = DefaultUploadChunkBytes;

    /// <summary>
    /// Resolves the manifest (image manifest or index), picks the Wasm layer, streams the blob into
    /// <paramref name="destination"/> while hashing and counting; throws <see cref="OciException"/>. Never buffers the blob.
    /// On an exception <paramref name="destination"/> may hold part of the blob: discard it.
    /// </summary>
    /// <returns>The digest the reference resolved to (the index's, when it names an index), and the layer written.</returns>
    public async Task<OciPulledModule> PullModuleAsync(OciReference reference, Stream destination, long maxBytes, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(destination);
        var connection = new RegistryConnection(http, settings, tokens, reference, push: false);
        var expected = reference.Digest is null ? null : new OciDescriptor("", reference.Digest, -1);
        var (manifestDigest, manifest) = await GetManifestAsync(connection, reference.ManifestReference, expected, reference.ToString(), cancel).ConfigureAwait(false);
        var resolved = manifest;
        if (manifest.IsIndex)
        {
            var entry = PickPlatform(manifest, connection.Registry, reference);
            (_, resolved) = await GetManifestAsync(connection, entry.Digest, entry, $"{reference} ({entry.Platform})", cancel).ConfigureAwait(false);
            if (resolved.IsIndex)
            {
                throw new OciException(OciErrorKind.UnsupportedManifest, connection.Registry,
                    $"The index {reference} points at another index ({entry.Digest}); reference the inner index or the Wasm manifest directly.");
            }
        }

        var layer = PickWasmLayer(resolved, connection.Registry, reference);
        if (layer.Size > maxBytes)
        {
            throw new OciException(OciErrorKind.TooLarge, connection.Registry,
                $"The Wasm layer of {reference} is {layer.Size} bytes, more than the {maxBytes}-byte limit for a module.");
        }

        var what = $"layer {layer.Digest} of {reference}";
        using var response = await connection.GetFollowingRedirectsAsync(
            connection.Url($"v2/{reference.Repository}/blobs/{layer.Digest}"), what, cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await RegistryErrors.FromResponseAsync(response, connection.Registry, what, cancel).ConfigureAwait(false);
        }

        var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await BlobCopy.CopyVerifiedAsync(body, destination, layer, maxBytes, connection.Registry, cancel).ConfigureAwait(false);
        }

        return new OciPulledModule(manifestDigest, layer.Digest, layer.MediaType, layer.Size);
    }

    /// <summary>Pushes a module as a CNCF Wasm OCI artifact: layer blob, config blob, image manifest with that artifactType; tags it.</summary>
    public async Task<OciPushedModule> PushModuleAsync(OciReference reference, Stream module, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(module);
        if (reference.Digest is not null)
        {
            throw new OciException(OciErrorKind.InvalidReference, reference.Registry,
                $"Push to a tag, not a digest ('{reference}'): the manifest's digest follows from what is pushed.");
        }

        var connection = new RegistryConnection(http, settings, tokens, reference, push: true);
        FileStream? spool = null;
        try
        {
            var source = module;
            if (!module.CanSeek)
            {
                // Two passes (digest, then upload) need a seekable stream; spool to disk, never to memory.
                spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await module.CopyToAsync(spool, cancel).ConfigureAwait(false);
                source = spool;
                source.Position = 0;
            }

            var start = source.Position;
            var (layerDigest, size) = await HashAsync(source, start, cancel).ConfigureAwait(false);
            await UploadBlobAsync(connection, layerDigest, size, (offset, length) => new StreamContent(new SliceStream(source, start + offset, length)), cancel).ConfigureAwait(false);

            var config = ArtifactJson.Config(layerDigest);
            var configDigest = Sha256(config);
            await UploadBlobAsync(connection, configDigest, config.Length, (offset, length) => new ByteArrayContent(config, (int)offset, (int)length), cancel).ConfigureAwait(false);

            var manifest = ArtifactJson.Manifest(new OciDescriptor(OciMediaTypes.WasmConfig, configDigest, config.Length),
                new OciDescriptor(OciMediaTypes.PlainWasm, layerDigest, size));
            var manifestDigest = Sha256(manifest);
            var tag = reference.Tag ?? OciReference.DefaultTag;
            var what = $"the manifest for {reference}";
            using var response = await connection.SendAsync(() =>
            {
                var content = new ByteArrayContent(manifest);
                content.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
                return new HttpRequestMessage(HttpMethod.Put, connection.Url($"v2/{reference.Repository}/manifests/{tag}")) { Content = content };
            }, what, cancel).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw await UploadFailedAsync(response, connection, what, cancel).ConfigureAwait(false);
            }

            if (Header(response, "Docker-Content-Digest") is { } stored && stored != manifestDigest)
            {
                throw new OciException(OciErrorKind.DigestMismatch, connection.Registry,
                    $"Registry {connection.Registry} stored the manifest for {reference} as {stored}, not {manifestDigest} as sent.");
            }

            return new OciPushedModule(manifestDigest, layerDigest, size);
        }
        finally
        {
            if (spool is not null)
            {
                await spool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<(string Digest, ManifestDocument Manifest)> GetManifestAsync(
        RegistryConnection connection, string manifestReference, OciDescriptor? expected, string shown, CancellationToken cancel)
    {
        var what = $"manifest {shown}";
        using var response = await connection.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, connection.Url($"v2/{connection.Repository}/manifests/{manifestReference}"));
            foreach (var type in OciMediaTypes.Manifests)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }

            return request;
        }, what, cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await RegistryErrors.FromResponseAsync(response, connection.Registry, what, cancel).ConfigureAwait(false);
        }

        var body = await connection.ReadBoundedAsync(response, settings.MaxManifestBytes, what, cancel).ConfigureAwait(false);
        var digest = Sha256(body);
        if (expected is not null && digest != expected.Digest)
        {
            throw new OciException(OciErrorKind.DigestMismatch, connection.Registry,
                $"Registry {connection.Registry} sent a manifest with digest {digest} for {shown}, which names {expected.Digest}.");
        }

        if (expected is { Size: >= 0 } && body.Length != expected.Size)
        {
            throw new OciException(OciErrorKind.SizeMismatch, connection.Registry,
                $"Registry {connection.Registry} sent {body.Length} bytes for manifest {expected.Digest} of {shown}; the index says {expected.Size}.");
        }

        if (expected is null && Header(response, "Docker-Content-Digest") is { } claimed
            && OciReference.DigestPattern().IsMatch(claimed) && claimed != digest)
        {
            throw new OciException(OciErrorKind.DigestMismatch, connection.Registry,
                $"Registry {connection.Registry} sent a manifest for {shown} whose digest is {digest}, while its Docker-Content-Digest header says {claimed}.");
        }

        return (digest, ManifestDocument.Parse(body, response.Content.Headers.ContentType?.MediaType, connection.Registry, what));
    }

    private static OciDescriptor PickPlatform(ManifestDocument index, string registry, OciReference reference)
    {
        var entries = index.Manifests;
        var chosen = IndexPlatforms.Select(p => entries.FirstOrDefault(e => $"{e.Os}/{e.Architecture}" == p)).FirstOrDefault(e => e is not null)
                     ?? entries.FirstOrDefault(e => e.ArtifactType == OciMediaTypes.WasmConfig)
                     ?? (entries.Count == 1 ? entries[0] : null);
        if (chosen is null)
        {
            throw new OciException(OciErrorKind.NoWasmLayer, registry,
                $"The index {reference} lists {entries.Count} platform(s) ({string.Join(", ", entries.Select(e => e.Platform))}), and none is wasi/wasm or linux/wasm. Reference a Wasm artifact, not a container image.");
        }

        if (chosen.MediaType.Length > 0 && !OciMediaTypes.IsImageManifest(chosen.MediaType) && !OciMediaTypes.IsIndex(chosen.MediaType))
        {
            throw new OciException(OciErrorKind.UnsupportedManifest, registry,
                $"The index {reference} points at a '{chosen.MediaType}', which is not an image manifest.");
        }

        return chosen;
    }

    private static OciDescriptor PickWasmLayer(ManifestDocument manifest, string registry, OciReference reference)
    {
        var wasm = manifest.Layers.Where(l => OciMediaTypes.WasmLayers.Contains(l.MediaType)).ToList();
        return wasm.Count switch
        {
            1 => wasm[0],
            0 => throw new OciException(OciErrorKind.NoWasmLayer, registry,
                $"{reference} has no Wasm layer (its layers: {(manifest.Layers.Count == 0 ? "none" : string.Join(", ", manifest.Layers.Select(l => l.MediaType)))}). " +
                $"A module's layer has media type {OciMediaTypes.PlainWasm}, {OciMediaTypes.WasmLayer} or {OciMediaTypes.WasmToOciLayer}; a container image cannot run here."),
            _ => throw new OciException(OciErrorKind.UnsupportedManifest, registry,
                $"{reference} has {wasm.Count} Wasm layers; a function is a single module. Push one module per tag."),
        };
    }

    private async Task UploadBlobAsync(RegistryConnection connection, string digest, long size,
        Func<long, long, HttpContent> content, CancellationToken cancel)
    {
        var blob = connection.Url($"v2/{connection.Repository}/blobs/{digest}");
        var what = $"blob {digest}";
        using (var head = await connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, blob), what, cancel).ConfigureAwait(false))
        {
            if (head.IsSuccessStatusCode)
            {
                return; // already in this repository: nothing to send
            }
        }

        var location = await StartUploadAsync(connection, what, cancel).ConfigureAwait(false);
        if (size > 0 && size > UploadChunkBytes)
        {
            for (long offset = 0; offset < size;)
            {
                var length = Math.Min(UploadChunkBytes, size - offset);
                var chunkStart = offset;
                var target = location;
                using var patch = await connection.SendAsync(() =>
                {
                    var body = content(chunkStart, length);
                    body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    body.Headers.ContentLength = length;
                    body.Headers.TryAddWithoutValidation("Content-Range", $"{chunkStart}-{chunkStart + length - 1}");
                    return new HttpRequestMessage(HttpMethod.Patch, target) { Content = body };
                }, what, cancel).ConfigureAwait(false);
                if (patch.StatusCode != HttpStatusCode.Accepted)
                {
                    throw await UploadFailedAsync(patch, connection, what, cancel).ConfigureAwait(false);
                }

                location = NextLocation(patch, target, connection, what);
                offset += length;
            }

            await FinishUploadAsync(connection, location, digest, () => new ByteArrayContent([]), what, cancel).ConfigureAwait(false);
        }
        else
        {
            await FinishUploadAsync(connection, location, digest, () =>
            {
                var body = content(0, size);
                body.Headers.ContentLength = size;
                return body;
            }, what, cancel).ConfigureAwait(false);
        }
    }

    private static async Task<Uri> StartUploadAsync(RegistryConnection connection, string what, CancellationToken cancel)
    {
        var start = connection.Url($"v2/{connection.Repository}/blobs/uploads/");
        using var response = await connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, start) { Content = new ByteArrayContent([]) }, what, cancel).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await UploadFailedAsync(response, connection, what, cancel).ConfigureAwait(false);
        }

        return NextLocation(response, start, connection, what);
    }

    private static async Task FinishUploadAsync(RegistryConnection connection, Uri location, string digest, Func<HttpContent> content, string what, CancellationToken cancel)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var url = new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest));
        using var response = await connection.SendAsync(() =>
        {
            var body = content();
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Put, url) { Content = body };
        }, what, cancel).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await UploadFailedAsync(response, connection, what, cancel).ConfigureAwait(false);
        }
    }

    private static Uri NextLocation(HttpResponseMessage response, Uri requested, RegistryConnection connection, string what) =>
        response.Headers.Location is { } location
            ? new Uri(requested, location)
            : throw new OciException(OciErrorKind.Protocol, connection.Registry,
                $"Registry {connection.Registry} accepted the upload of {what} without saying where to send it (no Location header).");

    private static async Task<OciException> UploadFailedAsync(HttpResponseMessage response, RegistryConnection connection, string what, CancellationToken cancel)
    {
        var error = await RegistryErrors.FromResponseAsync(response, connection.Registry, $"the upload of {what}", cancel).ConfigureAwait(false);
        return error.Kind == OciErrorKind.NotFound
            ? new OciException(OciErrorKind.Protocol, connection.Registry, error.Message)
            : error;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<(string Digest, long Size)> HashAsync(Stream source, long start, CancellationToken cancel)
    {
        source.Position = start;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }

        return (BlobCopy.Digest(hash), size);
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
