using Functions.Files;

namespace Functions.Cli.Files;

/// <summary>
/// Packs a <see cref="BundlePlan"/> into the canonical tar (Functions.Files' <see cref="BundleBuilder"/>) in a temp
/// file, so that its digest is known before anything is sent and the upload streams from disk.
/// </summary>
internal static class BundlePacker
{
    public static async Task<PackedBundle> PackAsync(BundlePlan plan, CancellationToken cancel)
    {
        if (plan.Folder is null && plan.Entries is null)
        {
            throw new InvalidOperationException($"{plan.Description} has no local source to pack.");
        }

        var path = Path.Combine(Path.GetTempPath(), $"functions-bundle-{Guid.NewGuid():N}.tar");
        try
        {
            BundleSummary summary;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                summary = plan.Folder is { } folder
                    ? await BundleBuilder.FromDirectoryAsync(folder, file, cancel)
                    : await BundleBuilder.FromFilesAsync(plan.Entries!, file, cancel);
            }

            return new PackedBundle(path, summary, new FileInfo(path).Length);
        }
        catch (BundleFormatException e)
        {
            Delete(path);
            throw new CliException($"{plan.Description}: cannot be packed as a file bundle: {e.Message}" +
                (e.EntryPath is { } entry ? $" (entry '{entry}')" : ""));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Delete(path);
            throw new CliException($"{plan.Description}: cannot be packed as a file bundle: {e.Message}");
        }
        catch
        {
            Delete(path);
            throw;
        }
    }

    internal static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temp file left behind is harmless; the system's temp cleaning removes it.
        }
    }
}

/// <summary>A packed bundle in a temp file, deleted on dispose.</summary>
/// <param name="Path">The canonical tar.</param>
/// <param name="Summary">Its digest, file count and listing.</param>
/// <param name="Size">The tar's size in bytes.</param>
internal sealed record PackedBundle(string Path, BundleSummary Summary, long Size) : IDisposable
{
    public void Dispose() => BundlePacker.Delete(Path);
}
