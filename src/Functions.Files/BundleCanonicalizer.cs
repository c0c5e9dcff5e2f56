using System.Globalization;
using System.IO.Compression;

namespace Functions.Files;

/// <summary>Turns an uploaded tar (or gzip-compressed tar) into the canonical bundle tar, validating it on the way.</summary>
public static class BundleCanonicalizer
{
    /// <summary>
    /// Reads a tar, or a gzip-compressed tar (detected by its magic bytes 1f 8b), validates it and writes the canonical
    /// tar to <paramref name="destination"/>. The files' bytes are spooled to a temporary file under
    /// <paramref name="scratchDirectory"/> (deleted afterwards). Throws <see cref="BundleFormatException"/> for anything
    /// that is not an acceptable bundle, with a message that says what to fix (and
    /// <see cref="BundleFormatException.LimitSetting"/> when a limit was passed).
    /// </summary>
    public static async Task<BundleSummary> CanonicalizeAsync(Stream archive, Stream destination, BundleLimits limits,
        string scratchDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(limits);
        Directory.CreateDirectory(scratchDirectory);
        var spoolPath = Path.Combine(scratchDirectory, $"bundle-{Guid.NewGuid():N}.spool");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.DeleteOnClose };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // uploaded content: private
            }

            var spool = new FileStream(spoolPath, options);
            await using (spool.ConfigureAwait(false))
            {
                var index = await SpoolAsync(archive, spool, limits, cancellationToken).ConfigureAwait(false);
                var entries = index.Complete();
                var digest = await CanonicalTar.WriteAsync(entries, entry =>
                {
                    spool.Position = entry.DataOffset;
                    return spool;
                }, destination, cancellationToken).ConfigureAwait(false);
                return Summarize(digest, entries);
            }
        }
        finally
        {
            File.Delete(spoolPath); // DeleteOnClose normally did it already
        }
    }

    internal static BundleSummary Summarize(string digest, List<IndexedEntry> entries)
    {
        var files = entries.Where(e => e.Kind == BundleEntryKind.File).ToList();
        return new BundleSummary(digest, files.Sum(f => f.Size), files.Count, entries.ConvertAll(e => e.ToBundleEntry()));
    }

    private static async Task<BundleIndex> SpoolAsync(Stream archive, FileStream spool, BundleLimits limits, CancellationToken ct)
    {
        var counted = new CountingReadStream(archive, limits.MaxArchiveBytes, () => BundleFormatException.LimitExceeded(
            $"The archive is larger than {limits.MaxArchiveBytes.ToString(CultureInfo.InvariantCulture)} bytes (as uploaded). " +
            $"Upload a smaller archive, or raise {BundleLimits.MaxArchiveBytesSetting}.", BundleLimits.MaxArchiveBytesSetting));
        var magic = new byte[2];
        var start = await counted.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        Stream tar = new PrefixedStream(magic.AsMemory(0, start), counted);
        var gzip = start == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (gzip)
        {
            tar = new GZipStream(tar, CompressionMode.Decompress);
        }

        await using (tar.ConfigureAwait(false))
        {
            try
            {
                return await IndexAsync(new TarInputReader(tar, strict: false), spool, limits, ct).ConfigureAwait(false);
            }
            catch (InvalidDataException e) when (gzip)
            {
                throw new BundleFormatException(
                    $"The gzip compression is damaged ({e.Message}). Compress the tar again, or upload it uncompressed.", null, e);
            }
        }
    }

    private static async Task<BundleIndex> IndexAsync(TarInputReader reader, FileStream spool, BundleLimits limits, CancellationToken ct)
    {
        var index = new BundleIndex(limits);
        while (await reader.NextAsync(ct).ConfigureAwait(false) is { } header)
        {
            var path = BundlePath.Normalize(header.Name);
            var kind = header.TypeFlag switch
            {
                '0' or '\0' or '7' => BundleEntryKind.File,
                '5' => BundleEntryKind.Directory,
                '2' => BundleEntryKind.Symlink,
                _ => throw Unsupported(path, header.TypeFlag),
            };
            if (path.Length == 0)
            {
                if (kind == BundleEntryKind.Directory)
                {
                    continue; // "./", the root folder itself
                }

                throw new BundleFormatException($"The entry '{TarInputReader.Show(header.Name)}' is not a folder but names the bundle root. Rename it.");
            }

            if (kind != BundleEntryKind.File && header.Size != 0)
            {
                // Folders and links carry no bytes; skipping them unread would let them past the unpacked limit.
                throw new BundleFormatException(
                    $"The {(kind == BundleEntryKind.Directory ? "folder" : "symbolic link")} '{path}' carries {header.Size} bytes " +
                    "of data, which tar never writes: the archive is damaged. Create it again with tar.", path);
            }

            var linkTarget = kind == BundleEntryKind.Symlink ? BundlePath.LinkTarget(path, header.LinkName) : null;
            if (kind == BundleEntryKind.File)
            {
                index.ReserveFile(path, header.Size);
            }

            var entry = new IndexedEntry(path, kind, header.Mode, header.Size, linkTarget) { DataOffset = spool.Position };
            index.Add(entry);
            if (kind == BundleEntryKind.File)
            {
                await reader.ReadDataAsync(spool, ct).ConfigureAwait(false);
            }
        }

        return index;
    }

    private static BundleFormatException Unsupported(string path, char typeFlag) => new(typeFlag switch
    {
        '1' => $"'{path}' is a hard link. Bundles hold files, folders and symbolic links only: pack a copy of the file " +
               "instead (e.g. tar --hard-dereference).",
        '3' => $"'{path}' is a character device. Bundles hold files, folders and symbolic links only: leave it out.",
        '4' => $"'{path}' is a block device. Bundles hold files, folders and symbolic links only: leave it out.",
        '6' => $"'{path}' is a FIFO (named pipe). Bundles hold files, folders and symbolic links only: leave it out.",
        _ => $"'{path}' has the tar entry type '{(typeFlag < ' ' ? $"\\x{(int)typeFlag:x2}" : typeFlag.ToString())}'. " +
             "Bundles hold files, folders and symbolic links only: leave it out.",
    }, path);
}
