namespace Functions.Oci;

/// <summary>A content descriptor as manifests and indexes hold them (with the platform, for an index's entries).</summary>
internal sealed record OciDescriptor(string MediaType, string Digest, long Size, string? Os = null, string? Architecture = null, string? ArtifactType = null)
{
    public string Platform => $"{Os ?? "?"}/{Architecture ?? "?"}";
}
