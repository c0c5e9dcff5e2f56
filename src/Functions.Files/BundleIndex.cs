using System.Globalization;

namespace Functions.Files;

/// <summary>
/// The entries of a bundle being assembled. <see cref="Complete"/> checks the tree as a whole (duplicates, files used as
/// folders, links that leave the bundle), adds the folders that are only implied, and sorts it into canonical order.
/// </summary>
internal sealed class BundleIndex(BundleLimits limits)
{
    /// <summary>Links followed while resolving one target before it counts as a loop (Linux's ELOOP is 40 too).</summary>
    private const int MaxLinkHops = 40;

    private readonly Dictionary<string, IndexedEntry> entries = new(StringComparer.Ordinal);

    public long UnpackedBytes { get; private set; }

    public int Count => entries.Count;

    /// <summary>Checks that a file of <paramref name="size"/> bytes still fits, before any of its bytes are read.</summary>
    public void ReserveFile(string path, long size)
    {
        if (size > limits.MaxUnpackedBytes - UnpackedBytes)
        {
            throw BundleFormatException.LimitExceeded(
                $"The archive's files add up to more than {limits.MaxUnpackedBytes.ToString(CultureInfo.InvariantCulture)} bytes unpacked " +
                $"(the limit was passed at '{path}'). Make the bundle smaller, or raise {BundleLimits.MaxUnpackedBytesSetting}.",
                BundleLimits.MaxUnpackedBytesSetting);
        }
    }

    public void Add(IndexedEntry entry)
    {
        if (entries.ContainsKey(entry.Path))
        {
            throw new BundleFormatException(
                $"'{entry.Path}' is in the archive more than once (paths are compared without './' and trailing '/'). Keep only one.",
                entry.Path);
        }

        CheckCount(entries.Count + 1);
        if (entry.Kind == BundleEntryKind.File)
        {
            ReserveFile(entry.Path, entry.Size);
            UnpackedBytes += entry.Size;
        }

        entries.Add(entry.Path, entry);
    }

    /// <summary>The whole tree, validated, with implied folders added, in canonical order.</summary>
    public List<IndexedEntry> Complete()
    {
        foreach (var entry in entries.Values.ToList())
        {
            for (var parent = BundlePath.Parent(entry.Path); parent.Length > 0; parent = BundlePath.Parent(parent))
            {
                if (entries.TryGetValue(parent, out var existing))
                {
                    if (existing.Kind != BundleEntryKind.Directory)
                    {
                        var what = existing.Kind == BundleEntryKind.File ? "a file" : "a symbolic link";
                        throw new BundleFormatException(
                            $"'{parent}' is {what} in the archive, but '{entry.Path}' needs it to be a folder. Rename one of them.",
                            entry.Path);
                    }

                    break; // its own parents are checked (or added) when it is visited
                }

                entries.Add(parent, new IndexedEntry(parent, BundleEntryKind.Directory, 0, 0, null));
            }
        }

        CheckCount(entries.Count);
        foreach (var link in entries.Values.Where(e => e.Kind == BundleEntryKind.Symlink))
        {
            CheckLink(link);
        }

        var sorted = entries.Values.ToList();
        sorted.Sort(IndexedEntry.ByPath);
        return sorted;
    }

    private void CheckCount(int count)
    {
        if (count > limits.MaxEntries)
        {
            throw BundleFormatException.LimitExceeded(
                $"The archive has more than {limits.MaxEntries.ToString(CultureInfo.InvariantCulture)} entries (files, folders " +
                $"and links, counting the folders their paths imply). Make the bundle smaller, or raise {BundleLimits.MaxEntriesSetting}.",
                BundleLimits.MaxEntriesSetting);
        }
    }

    /// <summary>Follows the link's target through the tree as the kernel would (links in the middle included) and
    /// refuses it when any step leaves the bundle root.</summary>
    private void CheckLink(IndexedEntry link)
    {
        var target = link.LinkTarget!;
        if (target.StartsWith('/'))
        {
            throw new BundleFormatException(
                $"The symbolic link '{link.Path}' points to the absolute path '{target}'. Point it at a file or folder inside " +
                "the bundle with a relative path, or replace it with a copy.", link.Path);
        }

        var folder = new List<string>(BundlePath.Parent(link.Path).Split('/', StringSplitOptions.RemoveEmptyEntries));
        var pending = new Stack<string>(target.Split('/').Reverse());
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (folder.Count == 0)
                {
                    throw new BundleFormatException(
                        $"The symbolic link '{link.Path}' points to '{target}', which leads outside the bundle. Links may only " +
                        "point to files and folders inside the bundle; replace it with a copy or change its target.", link.Path);
                }

                folder.RemoveAt(folder.Count - 1);
                continue;
            }

            folder.Add(part);
            if (entries.TryGetValue(string.Join('/', folder), out var step) && step.Kind == BundleEntryKind.Symlink)
            {
                if (++hops > MaxLinkHops)
                {
                    throw new BundleFormatException(
                        $"The symbolic link '{link.Path}' leads through more than {MaxLinkHops} links (a loop?). Change its target.",
                        link.Path);
                }

                folder.RemoveAt(folder.Count - 1);
                var next = step.LinkTarget!;
                if (next.StartsWith('/'))
                {
                    throw new BundleFormatException(
                        $"The symbolic link '{link.Path}' leads through '{step.Path}', which points to the absolute path '{next}'. " +
                        "Use relative targets inside the bundle.", link.Path);
                }

                foreach (var nextPart in next.Split('/').Reverse())
                {
                    pending.Push(nextPart);
                }
            }
        }
    }
}
