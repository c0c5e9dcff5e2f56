namespace Functions.Oci;

/// <summary>The media types a pull understands and a push writes.</summary>
public static class OciMediaTypes
{
    /// <summary>A Wasm layer as Spin and oci-distribution write it.</summary>
    public const string WasmLayer = "application/vnd.wasm.content.layer.v1+wasm";

    /// <summary>A Wasm layer as wasm-to-oci writes it.</summary>
    public const string WasmToOciLayer = "application/vnd.module.wasm.content.layer.v1+wasm";

    /// <summary>The layer of a CNCF Wasm OCI artifact, what <see cref="OciClient.PushModuleAsync"/> writes.</summary>
    public const string PlainWasm = "application/wasm";

    /// <summary>The config (and artifact type) of a CNCF Wasm OCI artifact.</summary>
    public const string WasmConfig = "application/vnd.wasm.config.v0+json";

    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifestV2 = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    internal static readonly string[] WasmLayers = [WasmLayer, WasmToOciLayer, PlainWasm];
    internal static readonly string[] Manifests = [ImageManifest, ImageIndex, DockerManifestV2, DockerManifestList];

    internal static bool IsIndex(string mediaType) => mediaType is ImageIndex or DockerManifestList;

    internal static bool IsImageManifest(string mediaType) => mediaType is ImageManifest or DockerManifestV2;
}
