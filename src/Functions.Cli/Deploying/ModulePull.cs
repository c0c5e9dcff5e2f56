namespace Functions.Cli.Deploying;

/// <summary>A module the control plane pulled from an OCI registry for a deploy.</summary>
/// <param name="Reference">As given, with <c>oci://</c>.</param>
/// <param name="Digest">The module's content address, which the release names.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ManifestDigest">The manifest the reference resolved to.</param>
/// <param name="Stored">False when the control plane already had these bytes.</param>
internal sealed record ModulePull(string Reference, string Digest, long Size, string? ManifestDigest, bool Stored);
