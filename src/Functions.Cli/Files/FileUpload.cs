namespace Functions.Cli.Files;

/// <summary>A packed bundle and what the control plane knows it as.</summary>
/// <param name="Source">The folder or files it was packed from, as the manifest names them.</param>
/// <param name="Digest">Its content address.</param>
/// <param name="Size">The canonical tar's size in bytes (what is sent).</param>
/// <param name="Files">Regular files in it.</param>
/// <param name="Uploaded">False when the control plane already had this bundle and nothing was sent.</param>
internal sealed record FileUpload(string Source, string Digest, long Size, int Files, bool Uploaded);
