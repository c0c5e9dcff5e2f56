using System.Security.Cryptography;

namespace Functions.Files;

/// <summary>Unpacks a canonical bundle tar (for the worker), verifying it as it goes.</summary>
public static class BundleExtractor
{
    /// <summary>
    /// Reads a canonical tar, hashing it while extracting into <paramref name="targetDirectory"/> (which must not
    /// exist; created 0700). Files are written with their mode &amp; 0o555, directories become 0555 once filled,
    /// symlinks are created as links. Throws <see cref="BundleIntegrityException"/> when the stream is not canonical
    /// or its digest is not <paramref name="expectedDigest"/>; the caller deletes the partial directory.
    /// </summary>
    public static async Task<BundleSummary> ExtractAsync(Stream canonicalTar, string targetDirectory, string expectedDigest,
        BundleLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(canonicalTar);
        ArgumentNullException.ThrowIfNull(limits);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Bundles are extracted on Linux and other Unix systems only.");
        }

        var expected = BundleDigest.Normalize(expectedDigest) ?? throw new ArgumentException(BundleDigest.FormatHint, nameof(expectedDigest));
        var root = Path.GetFullPath(targetDirectory);
        if (Path.Exists(root))
        {
            throw new IOException($"'{root}' already exists: a bundle is extracted into a new folder.");
        }

        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Counting only: the limits below stop a bundle larger than allowed long before this would.
        var hashed = new CountingReadStream(canonicalTar, long.MaxValue, () => new InvalidOperationException(), hash);
        var reader = new TarInputReader(hashed, strict: true);
        var index = new BundleIndex(limits);
        var entries = new List<IndexedEntry>();
        var folders = new HashSet<string>(StringComparer.Ordinal) { "" };
        try
        {
            while (await reader.NextAsync(ct).ConfigureAwait(false) is { } header)
            {
                var entry = Canonical(header, reader.RawHeader, entries.Count > 0 ? entries[^1] : null, folders);
                index.Add(entry);
                entries.Add(entry);
                var path = Path.Join(root, entry.Path);
                switch (entry.Kind)
                {
                    case BundleEntryKind.Directory:
                        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                        folders.Add(entry.Path);
                        break;
                    case BundleEntryKind.File:
                        var file = new FileStream(path, new FileStreamOptions
                        {
                            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                            PreallocationSize = entry.Size, Options = FileOptions.Asynchronous,
                        });
                        await using (file.ConfigureAwait(false))
                        {
                            await reader.ReadDataAsync(file, ct).ConfigureAwait(false);
                        }

                        File.SetUnixFileMode(path, (UnixFileMode)(entry.Mode & ReadAndExecute));
                        break;
                }
            }

            var digest = BundleDigest.FromHash(hash.GetHashAndReset());
            if (digest != expected)
            {
                throw new BundleIntegrityException($"The bundle's digest is {digest}, not the expected {expected}: it was damaged or replaced on the way.");
            }

            index.Complete(); // links: none may lead outside (checked on the whole tree, before any link exists)
        }
        catch (BundleFormatException e) when (e.LimitSetting is null)
        {
            throw new BundleIntegrityException($"The bundle is not a valid canonical bundle: {e.Message}", e);
        }

        // Links last: while files were written no link existed, so nothing could be written through one.
        foreach (var link in entries.Where(e => e.Kind == BundleEntryKind.Symlink))
        {
            File.CreateSymbolicLink(Path.Join(root, link.Path), link.LinkTarget!);
        }

        // Folders read-only last, deepest first (reverse canonical order puts every child before its parent).
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].Kind == BundleEntryKind.Directory)
            {
                File.SetUnixFileMode(Path.Join(root, entries[i].Path), (UnixFileMode)ReadAndExecute);
            }
        }

        return BundleCanonicalizer.Summarize(expected, entries);
    }

    private const int ReadAndExecute = 0x16D; // 0o555

    /// <summary>The entry <paramref name="header"/> describes, if its header bytes are exactly the canonical ones, it
    /// sorts after <paramref name="previous"/> and its folder came before it.</summary>
    private static IndexedEntry Canonical(TarInputEntry header, MemoryStream rawHeader, IndexedEntry? previous, HashSet<string> folders)
    {
        var name = TarInputReader.Show(header.Name);
        var kind = header.TypeFlag switch
        {
            '0' => BundleEntryKind.File,
            '5' => BundleEntryKind.Directory,
            '2' => BundleEntryKind.Symlink,
            _ => throw NotCanonical(name, $"its entry type is '{header.TypeFlag}'"),
        };
        var path = BundlePath.Normalize(header.Name);
        var entry = new IndexedEntry(path, kind, header.Mode, header.Size,
            kind == BundleEntryKind.Symlink ? BundlePath.LinkTarget(path, header.LinkName) : null);
        if (!rawHeader.GetBuffer().AsSpan(0, (int)rawHeader.Length).SequenceEqual(CanonicalTar.Header(entry)))
        {
            throw NotCanonical(name, "its header is not the canonical one (times, owners, mode, name or format)");
        }

        if (previous is not null && BundlePath.Compare(previous.Utf8Path, entry.Utf8Path) >= 0)
        {
            throw NotCanonical(name, $"it comes after '{previous.Path}' (entries are sorted by path, each once)");
        }

        if (!folders.Contains(BundlePath.Parent(path)))
        {
            throw NotCanonical(name, "its folder is not an earlier entry");
        }

        return entry;
    }

    private static BundleIntegrityException NotCanonical(string name, string why) =>
        new($"The bundle is not in canonical form at '{name}': {why}.");

    /// <summary>Deletes an extracted (or partly extracted) bundle directory: its folders are read-only (0555), so
    /// they get write permission back first. Nothing happens when <paramref name="directory"/> does not exist.</summary>
    public static void Delete(string directory)
    {
        var root = new DirectoryInfo(directory);
        if (!root.Exists || root.LinkTarget is not null)
        {
            if (root.LinkTarget is not null)
            {
                root.Delete(); // a link: remove the link, never what it points to
            }

            return;
        }

        MakeWritable(root);
        root.Delete(recursive: true);
    }

    /// <summary>Gives the owner write (and search) permission on every real folder of the tree, never following links.</summary>
    private static void MakeWritable(DirectoryInfo folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            folder.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }

        foreach (var child in folder.EnumerateDirectories())
        {
            if (child.LinkTarget is null)
            {
                MakeWritable(child);
            }
        }
    }
}
