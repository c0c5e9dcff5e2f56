using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Functions.Files.Tests;

/// <summary>Every kind of archive that must not become a bundle, and what the message tells the uploader to fix.</summary>
public class RejectedArchiveTests
{
    private static byte[] Good() => new TestTar().File("a.txt", "a").File("b/c.txt", new byte[3000]).File("d.txt", "d").ToArray();

    private static async Task Rejected(byte[] archive, string entryPath, params string[] messageParts)
    {
        var error = await Bundles.RejectAsync(archive);
        foreach (var part in messageParts)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(entryPath, error.EntryPath);
        Assert.Null(error.LimitSetting);
    }

    [Fact]
    public Task Random_bytes_are_not_a_tar() =>
        Rejected(new Random(7).GetItems<byte>(Enumerable.Range(1, 255).Select(i => (byte)i).ToArray(), 4096), null!,
            "not a tar archive", "tar -czf");

    [Fact]
    public async Task A_zip_is_named_as_such()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = await archive.CreateEntry("a.txt").OpenAsync();
            entry.Write("hello"u8);
        }

        await Rejected(zip.ToArray(), null!, "zip archive", "tar");
    }

    [Fact]
    public Task An_empty_upload_is_refused() => Rejected([], null!, "empty", "tar -czf");

    [Fact]
    public Task A_truncated_tar_is_refused() => Rejected(Good()[..1700], null!, "truncated", "Upload the whole archive");

    [Fact]
    public Task A_tar_without_its_end_blocks_is_refused_as_truncated() =>
        Rejected(Good()[..^1024][..^512], null!, "truncated");

    [Fact]
    public async Task A_truncated_gzip_is_refused()
    {
        var noise = new Random(3).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 20_000);
        var gzip = TestTar.Gzip(new TestTar().File("noise.bin", noise).ToArray());
        var error = await Bundles.RejectAsync(gzip[..(gzip.Length / 2)]);
        Assert.Matches("truncated|gzip compression is damaged", error.Message);
    }

    [Fact]
    public async Task A_damaged_gzip_is_refused()
    {
        var gzip = TestTar.Gzip(Good());
        gzip[^6] ^= 0xff; // inside the CRC-32 of the trailer
        var error = await Bundles.RejectAsync(gzip);
        Assert.Contains("gzip compression is damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_with_a_wrong_checksum_is_refused()
    {
        var tar = Good();
        tar[1024 + 3] ^= 0x20; // a letter of the second entry's name ("b/c.txt"), after a.txt's header and data
        await Rejected(tar, null!, "wrong checksum", "byte 1024", "damaged");
    }

    [Theory]
    [InlineData("../x", "'..'")]
    [InlineData("a/../../x", "'..'")]
    [InlineData("a/../b", "'..'")]
    [InlineData("/etc/passwd", "absolute path")]
    public Task Paths_leaving_the_bundle_are_refused(string name, string reason) =>
        Rejected(new TestTar().File("ok.txt", "ok").File(name, "x").ToArray(), name, reason, "-C folder .");

    [Theory]
    [InlineData("link", "../../etc", "leads outside the bundle")]
    [InlineData("a/link", "../..", "leads outside the bundle")]
    [InlineData("link", "/etc", "absolute path")]
    [InlineData("a/link", "b/../../../x", "leads outside the bundle")]
    public Task Links_leaving_the_bundle_are_refused(string name, string target, string reason) =>
        Rejected(new TestTar().File("a/b/file.txt", "ok").Symlink(name, target).ToArray(), name, reason, target);

    [Fact]
    public Task A_chain_of_links_that_leaves_the_bundle_only_when_followed_is_refused() =>
        // Each link alone stays inside: "up" is the root itself, "escape" is "up/..", lexically the root too; but
        // "up" resolves to the root, so "escape" is the root's parent.
        Rejected(new TestTar().File("d/sub/x.txt", "x").Symlink("d/up", "..").Symlink("escape", "d/up/..").ToArray(),
            "escape", "leads outside the bundle");

    [Fact]
    public Task A_loop_of_links_is_refused() =>
        Rejected(new TestTar().Symlink("a", "b/x").Symlink("b", "a/y").ToArray(), "a", "loop");

    [Fact]
    public async Task A_link_inside_the_bundle_is_kept_even_through_other_links()
    {
        var (summary, _) = await Bundles.CanonicalizeAsync(new TestTar()
            .File("d/sub/x.txt", "x").Symlink("d/up", "..").Symlink("via", "d/up/d/sub/x.txt").Symlink("dangling", "nowhere").ToArray());
        Assert.Equal("d/up/d/sub/x.txt", summary.Entries.Single(e => e.Path == "via").LinkTarget);
    }

    [Fact]
    public Task A_hard_link_is_refused() =>
        Rejected(new TestTar().File("a.txt", "a").Add(TarEntryType.HardLink, "b.txt", e => e.LinkName = "a.txt").ToArray(),
            "b.txt", "hard link", "copy");

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "character device")]
    [InlineData(TarEntryType.BlockDevice, "block device")]
    [InlineData(TarEntryType.Fifo, "FIFO")]
    public Task Devices_and_fifos_are_refused(TarEntryType type, string what) =>
        Rejected(new TestTar().File("a.txt", "a").Add(type, "dev/thing").ToArray(), "dev/thing", what, "leave it out");

    [Fact]
    public Task A_path_twice_is_refused_even_when_spelled_differently() =>
        Rejected(new TestTar().File("a", "1").File("./a", "2").ToArray(), "a", "more than once");

    [Fact]
    public Task A_folder_twice_is_refused() =>
        Rejected(new TestTar().Directory("a/").Directory("./a").ToArray(), "a", "more than once");

    [Fact]
    public Task A_file_used_as_a_folder_is_refused() =>
        Rejected(new TestTar().File("a", "1").File("a/b", "2").ToArray(), "a/b", "'a' is a file", "needs it to be a folder");

    [Fact]
    public Task A_link_used_as_a_folder_is_refused() =>
        Rejected(new TestTar().Directory("real").Symlink("a", "real").File("a/b", "2").ToArray(), "a/b", "'a' is a symbolic link");

    [Fact]
    public Task A_name_component_longer_than_255_bytes_is_refused() =>
        Rejected(new TestTar().File(new string('x', 256), "1").ToArray(), new string('x', 256), "longer than 255 bytes");

    [Fact]
    public async Task Invalid_utf8_names_are_refused()
    {
        var tar = new TestTar(TarEntryFormat.Ustar).File("ab.txt", "x").ToArray();
        tar[0] = 0xff;
        RewriteChecksum(tar, 0);
        var error = await Bundles.RejectAsync(tar);
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_entry_type_is_refused()
    {
        var tar = new TestTar(TarEntryFormat.Ustar).File("a.txt", "x").ToArray();
        tar[156] = (byte)'S';
        RewriteChecksum(tar, 0);
        var error = await Bundles.RejectAsync(tar);
        Assert.Contains("entry type 'S'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_carrying_data_is_refused_before_the_data_is_read()
    {
        // A folder header announcing 50 MiB, followed by nothing: refused on the header, not as truncated.
        var tar = new TestTar(TarEntryFormat.Ustar).Directory("d").ToArray()[..512];
        System.Text.Encoding.ASCII.GetBytes("00310000000").CopyTo(tar, 124);
        RewriteChecksum(tar, 0);
        var error = await Bundles.RejectAsync(tar);
        Assert.Contains("carries 52428800 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_with_no_entries_is_the_empty_bundle_as_tar_writes_it()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(new byte[10240]); // tar -cf empty.tar -T /dev/null
        Assert.Empty(summary.Entries);
        Assert.Equal(new byte[1024], tar);
        using var output = new MemoryStream();
        using var temp = new TempDirectory();
        Assert.Equal(summary.Digest, (await BundleBuilder.FromDirectoryAsync(temp.Path, output, CancellationToken.None)).Digest);
    }

    [Fact]
    public async Task Pax_global_headers_are_ignored()
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "hi" }));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "a.txt") { DataStream = new MemoryStream("a"u8.ToArray()) });
        }

        var (summary, _) = await Bundles.CanonicalizeAsync(output.ToArray());
        Assert.Equal(["a.txt"], summary.Entries.Select(e => e.Path));
    }

    internal static void RewriteChecksum(byte[] tar, int headerOffset)
    {
        var header = tar.AsSpan(headerOffset, 512);
        header.Slice(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header)
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
    }
}
