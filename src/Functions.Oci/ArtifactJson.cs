using System.Text.Json;

namespace Functions.Oci;

/// <summary>The config and manifest of a CNCF Wasm OCI artifact, written deterministically (same module, same digest).</summary>
internal static class ArtifactJson
{
    /// <summary><c>{"architecture":"wasm","os":"wasip1","layerDigests":[…]}</c>: a WASI preview 1 module.</summary>
    public static byte[] Config(string layerDigest) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("architecture", "wasm");
        writer.WriteString("os", "wasip1");
        writer.WriteStartArray("layerDigests");
        writer.WriteStringValue(layerDigest);
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static byte[] Manifest(OciDescriptor config, OciDescriptor layer) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("schemaVersion", 2);
        writer.WriteString("mediaType", OciMediaTypes.ImageManifest);
        writer.WriteString("artifactType", config.MediaType);
        writer.WritePropertyName("config");
        Descriptor(writer, config);
        writer.WriteStartArray("layers");
        Descriptor(writer, layer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void Descriptor(Utf8JsonWriter writer, OciDescriptor descriptor)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", descriptor.MediaType);
        writer.WriteString("digest", descriptor.Digest);
        writer.WriteNumber("size", descriptor.Size);
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.ToArray();
    }
}
