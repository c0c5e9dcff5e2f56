using System.Formats.Tar;
using System.Text;
using CsCheck;
using Functions.Testing;

namespace Functions.Files.Tests;

/// <summary>
/// Random trees of files, folders and links: the tar of the tree (any order, format, compression, with or without
/// folder entries) canonicalizes to the digest the builder gives the same tree on disk, the canonical tar canonicalizes
/// to itself, and extracting it gives the tree back.
/// </summary>
public sealed class BundleProperties
{
    private static readonly Gen<string> Component = Gen.OneOf("a", "b", "c.txt", "A", "a-b", "a b", "\u00e9t\u00e9", new string('x', 120));
    private static readonly Gen<string> RelativePath = Component.Array[1, 3].Select(parts => string.Join('/', parts));
    private static readonly Gen<int> FileMode = Gen.OneOf(0x1A4, 0x1ED, 0x180, 0x100, 0x1C0, 0x124); // 644 755 600 400 700 444

    private sealed record Tree(
        SortedDictionary<string, (byte[] Content, int Mode)> Files, SortedSet<string> Folders, SortedDictionary<string, string> Links);

    private static readonly Gen<Tree> Trees = Gen.Select(
        Gen.Select(RelativePath, Gen.Byte.Array[0, 1500], FileMode).Array[1, 10],
        RelativePath.Array[0, 3],
        Gen.Select(RelativePath, Component).Array[0, 3],
        (files, folders, links) => MakeTree(files, folders, links));

    [Fact]
    public void Canonicalizing_building_and_extracting_agree_on_random_trees()
    {
        Gen.Select(Trees, Gen.Int, Gen.Bool, Gen.Bool, Gen.Int[0, 2]).Sample((tree, seed, gzip, folderEntries, format) =>
            Check(tree, seed, gzip, folderEntries, format).GetAwaiter().GetResult(),
            iter: PropertyRuns.Iterations(60), threads: 1,
            print: t => $"files [{string.Join(", ", t.Item1.Files.Keys)}] folders [{string.Join(", ", t.Item1.Folders)}] links [{string.Join(", ", t.Item1.Links)}] seed {t.Item2} gzip {t.Item3} folders {t.Item4} format {t.Item5}");
    }

    [Fact]
    public void A_damaged_archive_becomes_a_bundle_or_a_BundleFormatException_never_another_exception()
    {
        var tar = GoldenDigestTests.Golden();
        var inputs = new[] { tar, TestTar.Gzip(tar) };
        Gen.Select(Gen.Int[0, 1], Gen.Select(Gen.Int[0, 7167], Gen.Byte).Array[1, 4], Gen.Int[0, 7680]).Sample((which, flips, cut) =>
        {
            var bytes = inputs[which].ToArray();
            foreach (var (at, value) in flips)
            {
                bytes[at % bytes.Length] = value;
            }

            try
            {
                Bundles.CanonicalizeAsync(bytes[..Math.Min(cut, bytes.Length)]).GetAwaiter().GetResult();
            }
            catch (BundleFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }, iter: PropertyRuns.Iterations(2_000));
    }

    private static async Task Check(Tree tree, int seed, bool gzip, bool folderEntries, int formatChoice)
    {
        using var temp = new TempDirectory();
        var source = temp.Combine("source");
        Write(tree, source);
        using var built = new MemoryStream();
        var builtSummary = await BundleBuilder.FromDirectoryAsync(source, built, CancellationToken.None);

        var format = formatChoice switch
        {
            0 => TarEntryFormat.Gnu,
            // ustar holds names (and link targets) of up to 100 bytes only.
            1 when AllPaths(tree).Concat(tree.Links.Values).All(p => Encoding.UTF8.GetByteCount(p) < 100) => TarEntryFormat.Ustar,
            _ => TarEntryFormat.Pax,
        };
        var archive = Archive(tree, new Random(seed), format, folderEntries);
        var (summary, canonical) = await Bundles.CanonicalizeAsync(gzip ? TestTar.Gzip(archive) : archive);
        Assert.Equal(builtSummary.Digest, summary.Digest);
        Assert.Equal(built.ToArray(), canonical);

        var (again, canonicalAgain) = await Bundles.CanonicalizeAsync(canonical);
        Assert.Equal(summary.Digest, again.Digest);
        Assert.Equal(canonical, canonicalAgain);

        var target = temp.Combine("extracted");
        await ExtractorTests.ExtractAsync(canonical, target, summary.Digest);
        AssertExtracted(tree, target);
    }

    private static Tree MakeTree((string, byte[], int)[] files, string[] folders, (string, string)[] links)
    {
        var tree = new Tree(new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        foreach (var (path, content, mode) in files)
        {
            if (!Taken(tree, path))
            {
                tree.Files[path] = (content, mode);
            }
        }

        foreach (var path in folders)
        {
            if (!Taken(tree, path))
            {
                tree.Folders.Add(path);
            }
        }

        foreach (var (path, target) in links)
        {
            // A plain name: a sibling, which stays inside the bundle. Never an earlier link (or itself): no loops,
            // which the canonicalizer refuses (A_loop_of_links_is_refused).
            var sibling = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] + "/" + target : target;
            if (!Taken(tree, path) && sibling != path && !tree.Links.ContainsKey(sibling))
            {
                tree.Links[path] = target;
            }
        }

        return tree;
    }

    /// <summary>True when <paramref name="path"/> would clash: already there, the folder of something, or below a
    /// file or link. Folders are implied by their contents, so a path below a folder is fine.</summary>
    private static bool Taken(Tree tree, string path) =>
        AllPaths(tree).Any(p => p == path || p.StartsWith(path + "/", StringComparison.Ordinal)
            || (!tree.Folders.Contains(p) && path.StartsWith(p + "/", StringComparison.Ordinal)));

    private static IEnumerable<string> AllPaths(Tree tree) => tree.Files.Keys.Concat(tree.Folders).Concat(tree.Links.Keys);

    private static void Write(Tree tree, string root)
    {
        Directory.CreateDirectory(root);
        foreach (var folder in tree.Folders)
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }

        foreach (var (path, (content, mode)) in tree.Files)
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, content);
            File.SetUnixFileMode(file, (UnixFileMode)mode);
        }

        foreach (var (path, target) in tree.Links)
        {
            var link = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, target);
        }
    }

    private static byte[] Archive(Tree tree, Random random, TarEntryFormat format, bool folderEntries)
    {
        var tar = new TestTar(format) { Uid = random.Next(0, 2000), Time = DateTimeOffset.UnixEpoch.AddSeconds(random.Next()) };
        var steps = new List<Action>();
        foreach (var (path, (content, mode)) in tree.Files)
        {
            steps.Add(() => tar.File(random.Next(3) == 0 ? "./" + path : path, content, Convert.ToString(mode, 8)));
        }

        var folders = folderEntries
            ? AllPaths(tree).SelectMany(Ancestors).Concat(tree.Folders).Distinct()
            : tree.Folders;
        foreach (var folder in folders)
        {
            steps.Add(() => tar.Directory(random.Next(2) == 0 ? folder + "/" : folder, mode: random.Next(2) == 0 ? "755" : "700"));
        }

        foreach (var (path, target) in tree.Links)
        {
            steps.Add(() => tar.Symlink(path, target));
        }

        foreach (var step in steps.OrderBy(_ => random.Next()))
        {
            step();
        }

        return tar.ToArray();
    }

    /// <summary>Everything under <paramref name="folder"/>, not following links (.NET's recursive enumeration would).</summary>
    private static IEnumerable<FileSystemInfo> Walk(DirectoryInfo folder) =>
        folder.EnumerateFileSystemInfos().SelectMany(i => i is DirectoryInfo { LinkTarget: null } d ? Walk(d).Prepend(i) : [i]);

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            yield return path[..slash];
        }
    }

    private static void AssertExtracted(Tree tree, string root)
    {
        foreach (var (path, (content, mode)) in tree.Files)
        {
            var file = Path.Combine(root, path);
            Assert.Equal(content, File.ReadAllBytes(file));
            Assert.Equal(mode & 0x16D, (int)File.GetUnixFileMode(file));
        }

        foreach (var (path, target) in tree.Links)
        {
            Assert.Equal(target, new FileInfo(Path.Combine(root, path)).LinkTarget);
        }

        var expectedFolders = AllPaths(tree).SelectMany(Ancestors).Concat(tree.Folders).Distinct().Order(StringComparer.Ordinal);
        var found = Walk(new DirectoryInfo(root)).ToList();
        Assert.Equal(expectedFolders, found.Where(i => i is DirectoryInfo { LinkTarget: null }).Select(i => Path.GetRelativePath(root, i.FullName)).Order(StringComparer.Ordinal));
        Assert.Equal(tree.Files.Count + tree.Links.Count, found.Count(i => i is not DirectoryInfo { LinkTarget: null }));
    }
}
