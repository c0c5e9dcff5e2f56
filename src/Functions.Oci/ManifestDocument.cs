using System.Text.Json;

namespace Functions.Oci;

/// <summary>A parsed image manifest (layers) or index (manifests); Docker's v2 formats have the same shape.</summary>
internal sealed record ManifestDocument(string MediaType, IReadOnlyList<OciDescriptor> Layers, IReadOnlyList<OciDescriptor> Manifests)
{
    public bool IsIndex => OciMediaTypes.IsIndex(MediaType);

    public static ManifestDocument Parse(byte[] body, string? contentType, string registry, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Unsupported(registry, what, "it is not a JSON object");
            }

            var declared = root.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var mediaType = declared ?? contentType;
            var hasLayers = root.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array;
            var hasManifests = root.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array;
            // The OCI spec makes mediaType optional; the registry's Content-Type or the document's shape tells.
            if (mediaType is null or "application/json" || !OciMediaTypes.Manifests.Contains(mediaType))
            {
                if (root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number && version.GetInt32() == 1)
                {
                    throw Unsupported(registry, what, "it is a Docker schema 1 manifest; push the artifact again with a current client");
                }

                mediaType = hasManifests ? OciMediaTypes.ImageIndex
                    : hasLayers ? OciMediaTypes.ImageManifest
                    : throw Unsupported(registry, what, $"its media type is '{declared ?? contentType ?? "none"}' and it lists neither layers nor manifests");
            }

            return OciMediaTypes.IsIndex(mediaType)
                ? new ManifestDocument(mediaType, [], hasManifests ? Descriptors(manifests, registry, what) : [])
                : new ManifestDocument(mediaType, hasLayers ? Descriptors(layers, registry, what) : [], []);
        }
        catch (JsonException e)
        {
            throw new OciException(OciErrorKind.UnsupportedManifest, registry, $"The {what} from registry {registry} is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new OciException(OciErrorKind.UnsupportedManifest, registry, $"The {what} from registry {registry} is malformed: {e.Message}", e);
        }
    }

    private static List<OciDescriptor> Descriptors(JsonElement array, string registry, string what)
    {
        var result = new List<OciDescriptor>();
        foreach (var item in array.EnumerateArray())
        {
            var mediaType = item.TryGetProperty("mediaType", out var m) ? m.GetString() ?? "" : "";
            var digest = item.TryGetProperty("digest", out var d) ? d.GetString() ?? "" : "";
            var size = item.TryGetProperty("size", out var s) && s.TryGetInt64(out var n) ? n : -1;
            if (!OciReference.DigestPattern().IsMatch(digest))
            {
                throw Unsupported(registry, what, $"it names '{digest}', and only sha256 digests are supported");
            }

            if (size < 0)
            {
                throw Unsupported(registry, what, $"the entry {digest} has no valid size");
            }

            string? os = null, architecture = null;
            if (item.TryGetProperty("platform", out var platform) && platform.ValueKind == JsonValueKind.Object)
            {
                os = platform.TryGetProperty("os", out var o) ? o.GetString() : null;
                architecture = platform.TryGetProperty("architecture", out var a) ? a.GetString() : null;
            }

            var artifactType = item.TryGetProperty("artifactType", out var t) ? t.GetString() : null;
            result.Add(new OciDescriptor(mediaType, digest, size, os, architecture, artifactType));
        }

        return result;
    }

    private static OciException Unsupported(string registry, string what, string why) =>
        new(OciErrorKind.UnsupportedManifest, registry, $"The {what} from registry {registry} cannot be used: {why}.");
}
