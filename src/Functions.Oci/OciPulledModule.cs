namespace Functions.Oci;

/// <summary>What a pull wrote: the manifest it resolved to and the verified layer.</summary>
public sealed record OciPulledModule(string ManifestDigest, string LayerDigest, string LayerMediaType, long Size);
