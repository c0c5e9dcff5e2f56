namespace Functions.Files.Tests;

/// <summary>Runs the library on byte arrays, with a scratch folder that is checked to be left empty.</summary>
internal static class Bundles
{
    public static BundleLimits Limits { get; } = BundleLimits.Default;

    public static async Task<(BundleSummary Summary, byte[] Tar)> CanonicalizeAsync(byte[] archive, BundleLimits? limits = null)
    {
        using var scratch = new TempDirectory();
        using var output = new MemoryStream();
        try
        {
            var summary = await BundleCanonicalizer.CanonicalizeAsync(new MemoryStream(archive), output, limits ?? Limits,
                scratch.Path, CancellationToken.None);
            return (summary, output.ToArray());
        }
        finally
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path)); // the spool file is gone, success or not
        }
    }

    public static async Task<string> DigestAsync(byte[] archive) => (await CanonicalizeAsync(archive)).Summary.Digest;

    public static async Task<BundleFormatException> RejectAsync(byte[] archive, BundleLimits? limits = null) =>
        await Assert.ThrowsAsync<BundleFormatException>(() => CanonicalizeAsync(archive, limits));
}

/// <summary>A fresh folder under the system temp folder, deleted (read-only parts included) on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("functions-files-").FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => BundleExtractor.Delete(Path);
}
