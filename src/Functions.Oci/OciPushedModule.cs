namespace Functions.Oci;

/// <summary>What a push stored: the manifest the tag now points at, and the module's layer.</summary>
public sealed record OciPushedModule(string ManifestDigest, string LayerDigest, long Size);
