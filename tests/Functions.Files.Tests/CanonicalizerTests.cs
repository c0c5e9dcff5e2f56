using System.Diagnostics;
using System.Formats.Tar;
using System.Text;

namespace Functions.Files.Tests;

public class CanonicalizerTests
{
    private static TestTar Sample(TarEntryFormat format = TarEntryFormat.Pax, int uid = 1000, DateTimeOffset? time = null) =>
        new TestTar(format) { Uid = uid, Owner = uid == 0 ? "root" : "alice", Time = time ?? new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero) }
            .File("index.html", "<h1>hello</h1>\n")
            .File("bin/run.sh", "#!/bin/sh\necho hi\n", mode: "755")
            .File("static/css/site.css", "body{}\n")
            .Symlink("static/current", "css");

    [Fact]
    public async Task The_same_tree_gives_the_same_digest_whatever_the_order_times_owners_format_and_compression()
    {
        var expected = await Bundles.DigestAsync(Sample().ToArray());
        var variants = new Dictionary<string, byte[]>
        {
            ["reversed, GNU format, root owner, other time"] =
                Sample(TarEntryFormat.Gnu, uid: 0, time: new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)).Reversed().ToArray(),
            ["ustar"] = Sample(TarEntryFormat.Ustar).ToArray(),
            ["v7"] = Sample(TarEntryFormat.V7).ToArray(),
            ["gzip"] = TestTar.Gzip(Sample().ToArray()),
            ["explicit folders and ./ prefixes"] = new TestTar(TarEntryFormat.Gnu)
                .Directory("./").Directory("./static/").Directory("./static/css/", mode: "700").Directory("./bin")
                .Symlink("./static/current", "css").File("./static/css/site.css", "body{}\n")
                .File("./bin/run.sh", "#!/bin/sh\necho hi\n", mode: "755").File("./index.html", "<h1>hello</h1>\n").ToArray(),
            ["setuid and sticky bits dropped"] = new TestTar()
                .File("index.html", "<h1>hello</h1>\n").File("bin/run.sh", "#!/bin/sh\necho hi\n", mode: "4755")
                .File("static/css/site.css", "body{}\n").Symlink("static/current", "css").ToArray(),
        };

        foreach (var (name, archive) in variants)
        {
            Assert.True(expected == await Bundles.DigestAsync(archive), name);
        }
    }

    [Fact]
    public async Task A_changed_mode_byte_or_link_target_gives_another_digest()
    {
        var digests = new[]
        {
            await Bundles.DigestAsync(Sample().ToArray()),
            await Bundles.DigestAsync(new TestTar().File("index.html", "<h1>hello</h1>\n").File("bin/run.sh", "#!/bin/sh\necho hi\n", mode: "744")
                .File("static/css/site.css", "body{}\n").Symlink("static/current", "css").ToArray()),
            await Bundles.DigestAsync(new TestTar().File("index.html", "<h1>hello</h1>!").File("bin/run.sh", "#!/bin/sh\necho hi\n", mode: "755")
                .File("static/css/site.css", "body{}\n").Symlink("static/current", "css").ToArray()),
            await Bundles.DigestAsync(new TestTar().File("index.html", "<h1>hello</h1>\n").File("bin/run.sh", "#!/bin/sh\necho hi\n", mode: "755")
                .File("static/css/site.css", "body{}\n").Symlink("static/current", "css/").ToArray()),
        };
        Assert.Equal(digests.Length, digests.Distinct().Count());
    }

    [Fact]
    public async Task The_summary_lists_every_entry_in_canonical_order_with_implied_folders()
    {
        var (summary, _) = await Bundles.CanonicalizeAsync(Sample().ToArray());
        Assert.Equal(
            ["bin", "bin/run.sh", "index.html", "static", "static/css", "static/css/site.css", "static/current"],
            summary.Entries.Select(e => e.Path));
        Assert.Equal(new BundleEntry("bin/run.sh", BundleEntryKind.File, TestTar.Octal("755"), 18, null), summary.Entries[1]);
        Assert.Equal(new BundleEntry("static", BundleEntryKind.Directory, TestTar.Octal("755"), 0, null), summary.Entries[3]);
        Assert.Equal(new BundleEntry("static/current", BundleEntryKind.Symlink, TestTar.Octal("777"), 0, "css"), summary.Entries[6]);
        Assert.Equal(3, summary.FileCount);
        Assert.Equal(15 + 18 + 7, summary.UnpackedBytes);
    }

    [Fact]
    public async Task The_canonical_tar_canonicalizes_to_the_same_bytes()
    {
        var (first, tar) = await Bundles.CanonicalizeAsync(Sample(TarEntryFormat.Gnu).Reversed().ToArray());
        var (second, again) = await Bundles.CanonicalizeAsync(tar);
        Assert.Equal(tar, again);
        Assert.Equal(first, second with { Entries = first.Entries });
        Assert.Equal(first.Entries, second.Entries);
    }

    [Fact]
    public async Task Paths_past_100_and_255_bytes_and_long_or_non_ascii_link_targets_round_trip()
    {
        var deep = string.Join('/', Enumerable.Range(0, 12).Select(i => new string((char)('a' + i), 40))); // 491 bytes
        var longName = new string('n', 255);
        var archive = new TestTar()
            .File($"{deep}/{longName}", "deep")
            .File("caf\u00e9/\u00fcber.txt", "utf-8")
            .Symlink("top-link", $"{deep}/{longName}")
            .Symlink("caf\u00e9/link", "\u00fcber.txt").ToArray();
        var (summary, tar) = await Bundles.CanonicalizeAsync(archive);

        // System.Formats.Tar reads back the names, targets and contents...
        using var reader = new TarReader(new MemoryStream(tar));
        var read = new Dictionary<string, TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            read[entry.Name] = entry;
        }

        Assert.Equal("deep", new StreamReader(read[$"{deep}/{longName}"].DataStream!).ReadToEnd());
        Assert.Equal($"{deep}/{longName}", read["top-link"].LinkName);
        Assert.Equal("\u00fcber.txt", read["caf\u00e9/link"].LinkName);
        Assert.Contains($"{deep}/", read.Keys);
        Assert.Contains(summary.Entries, e => e.Path == deep && e.Kind == BundleEntryKind.Directory);

        // ...and so does GNU tar.
        using var folder = new TempDirectory();
        var tarFile = folder.Combine("bundle.tar");
        await File.WriteAllBytesAsync(tarFile, tar);
        var listing = Tar("-tf", tarFile).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"{deep}/{longName}", listing);
        Assert.Contains("caf\u00e9/\u00fcber.txt", listing);
    }

    [Fact]
    public async Task Gnu_tar_lists_the_canonical_tar_with_zero_times_and_owners_and_extracts_it()
    {
        var (_, tar) = await Bundles.CanonicalizeAsync(Sample().ToArray());
        using var folder = new TempDirectory();
        var tarFile = folder.Combine("bundle.tar");
        await File.WriteAllBytesAsync(tarFile, tar);

        var verbose = Tar("--numeric-owner", "--utc", "-tvf", tarFile).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "drwxr-xr-x 0/0               0 1970-01-01 00:00 bin/",
                "-rwxr-xr-x 0/0              18 1970-01-01 00:00 bin/run.sh",
                "-rw-r--r-- 0/0              15 1970-01-01 00:00 index.html",
                "drwxr-xr-x 0/0               0 1970-01-01 00:00 static/",
                "drwxr-xr-x 0/0               0 1970-01-01 00:00 static/css/",
                "-rw-r--r-- 0/0               7 1970-01-01 00:00 static/css/site.css",
                "lrwxrwxrwx 0/0               0 1970-01-01 00:00 static/current -> css",
            ],
            verbose);

        var target = folder.Combine("out");
        Directory.CreateDirectory(target);
        Tar("-xf", tarFile, "-C", target);
        Assert.Equal("#!/bin/sh\necho hi\n", await File.ReadAllTextAsync(Path.Combine(target, "bin/run.sh")));
        Assert.Equal("css", new FileInfo(Path.Combine(target, "static/current")).LinkTarget);
        Assert.Equal("body{}\n", await File.ReadAllTextAsync(Path.Combine(target, "static/current/site.css")));
    }

    [Fact]
    public async Task Archives_made_by_gnu_tar_from_the_same_folder_in_any_format_give_one_digest()
    {
        using var folder = new TempDirectory();
        var tree = folder.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "a/b"));
        await File.WriteAllTextAsync(Path.Combine(tree, "a/b/c.txt"), "c");
        await File.WriteAllTextAsync(Path.Combine(tree, "z.txt"), "z");
        File.CreateSymbolicLink(Path.Combine(tree, "a/link"), "b/c.txt");
        var digests = new List<string>();
        foreach (var options in new[] { "--format=gnu", "--format=posix", "--format=ustar", "--format=posix -z --sort=name --owner=7 --group=7" })
        {
            var file = folder.Combine($"t{digests.Count}.tar");
            Tar([.. options.Split(' '), "-cf", file, "-C", tree, "."]);
            digests.Add(await Bundles.DigestAsync(await File.ReadAllBytesAsync(file)));
        }

        Assert.Single(digests.Distinct());
    }

    internal static string Tar(params string[] arguments)
    {
        var start = new ProcessStartInfo("tar") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"tar {string.Join(' ', arguments)}: {error}");
        return output;
    }
}
