namespace Functions.Cli.Deploying;

/// <summary>A local module file and what the control plane knows it as.</summary>
/// <param name="Path">The file.</param>
/// <param name="Digest">Its content address.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Uploaded">False when the control plane already had these bytes and nothing was sent.</param>
internal sealed record ModuleUpload(string Path, string Digest, long Size, bool Uploaded);
