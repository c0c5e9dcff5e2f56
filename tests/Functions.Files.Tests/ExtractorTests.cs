using System.Formats.Tar;

namespace Functions.Files.Tests;

public class ExtractorTests
{
    private static readonly int ReadOnlyFolder = TestTar.Octal("555");

    internal static async Task<BundleSummary> ExtractAsync(byte[] tar, string target, string digest, BundleLimits? limits = null) =>
        await BundleExtractor.ExtractAsync(new MemoryStream(tar), target, digest, limits ?? BundleLimits.Default, CancellationToken.None);

    [Fact]
    public async Task A_canonical_bundle_extracts_to_its_files_modes_and_links_read_only()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(GoldenDigestTests.Golden());
        using var temp = new TempDirectory();
        var target = temp.Combine("bundle");
        var extracted = await ExtractAsync(tar, target, summary.Digest.ToUpperInvariant()[7..]);

        Assert.Equal(summary, extracted with { Entries = summary.Entries });
        Assert.Equal(summary.Entries, extracted.Entries);
        Assert.Equal("<!doctype html>\n<p>hello</p>\n", await File.ReadAllTextAsync(Path.Combine(target, "www/index.html")));
        Assert.Equal(TestTar.Octal("550"), (int)File.GetUnixFileMode(Path.Combine(target, "bin/start"))); // 0750 & 0555
        Assert.Equal(TestTar.Octal("444"), (int)File.GetUnixFileMode(Path.Combine(target, "www/index.html")));
        Assert.Equal(TestTar.Octal("400"), (int)File.GetUnixFileMode(Path.Combine(target, "www", new string('l', 120) + ".txt")));
        Assert.Equal("index.html", new FileInfo(Path.Combine(target, "www/home.html")).LinkTarget);
        Assert.Equal(ReadOnlyFolder, (int)File.GetUnixFileMode(Path.Combine(target, "www")));
        Assert.Equal(ReadOnlyFolder, (int)File.GetUnixFileMode(Path.Combine(target, "empty")));
        Assert.Equal(TestTar.Octal("700"), (int)File.GetUnixFileMode(target));

        BundleExtractor.Delete(target);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task A_flipped_byte_fails_the_digest()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(GoldenDigestTests.Golden());
        var index = tar.AsSpan().IndexOf("hello"u8);
        tar[index] ^= 0x01;
        using var temp = new TempDirectory();
        var error = await Assert.ThrowsAsync<BundleIntegrityException>(() => ExtractAsync(tar, temp.Combine("b"), summary.Digest));
        Assert.Contains("digest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_after_the_end_are_refused()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(GoldenDigestTests.Golden());
        using var temp = new TempDirectory();
        await Assert.ThrowsAsync<BundleIntegrityException>(() => ExtractAsync([.. tar, .. new byte[512]], temp.Combine("b"), summary.Digest));
    }

    private static IndexedEntry Entry(string path, int size = 1) => new(path, BundleEntryKind.File, 420, size, null);

    private static byte[] Patched(int offset, string ascii)
    {
        var tar = BuildCanonical(Entry("a"));
        System.Text.Encoding.ASCII.GetBytes(ascii).CopyTo(tar, offset);
        RejectedArchiveTests.RewriteChecksum(tar, 0);
        return tar;
    }

    public static TheoryData<string, byte[], string> NonCanonical() => new()
    {
        { "unsorted", BuildCanonical(Entry("b"), Entry("a")), "comes after 'b'" },
        { "twice", BuildCanonical(Entry("a"), Entry("a")), "comes after 'a'" },
        { "an implied folder", BuildCanonical(Entry("d/a")), "its folder is not an earlier entry" },
        { "a time", Patched(136, "14712345670"), "header is not the canonical one" },
        { "an owner", Patched(108, "0001750"), "header is not the canonical one" },
        { "a user name", Patched(265, "alice"), "header is not the canonical one" },
        { "a ./ prefix", BuildCanonical(Entry("./a")), "header is not the canonical one" },
        { "a hard link", Patched(156, "1"), "entry type is '1'" },
        { "a non-zero padding", Patched(512 + 100, "x"), "padding" },
        { "three end blocks", [.. BuildCanonical(Entry("a")), .. new byte[512]], "two zero blocks" },
        { "one end block", BuildCanonical(Entry("a"))[..^512], "two zero blocks" },
    };

    [Theory]
    [MemberData(nameof(NonCanonical))]
    public async Task A_tar_that_is_not_canonical_is_refused_even_with_its_own_digest(string what, byte[] tar, string reason)
    {
        using var temp = new TempDirectory();
        var digest = BundleDigest.FromHash(System.Security.Cryptography.SHA256.HashData(tar));
        var error = await Assert.ThrowsAsync<BundleIntegrityException>(() => ExtractAsync(tar, temp.Combine("b"), digest));
        Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public async Task A_canonical_looking_tar_with_an_escaping_link_is_refused_and_no_link_is_made()
    {
        // The canonicalizer never writes this, but a stored bundle is still not trusted.
        var tar = BuildCanonical(new IndexedEntry("a", BundleEntryKind.File, 420, 1, null), new IndexedEntry("evil", BundleEntryKind.Symlink, 0, 0, "../../etc"));
        using var temp = new TempDirectory();
        var target = temp.Combine("b");
        var digest = BundleDigest.FromHash(System.Security.Cryptography.SHA256.HashData(tar));
        var error = await Assert.ThrowsAsync<BundleIntegrityException>(() => ExtractAsync(tar, target, digest));
        Assert.Contains("outside the bundle", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(target, "evil")));
    }

    [Fact]
    public async Task The_unpacked_limit_applies_while_extracting()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(GoldenDigestTests.Golden());
        using var temp = new TempDirectory();
        var error = await Assert.ThrowsAsync<BundleFormatException>(() => ExtractAsync(tar, temp.Combine("b"), summary.Digest, new BundleLimits(1 << 20, 40, 100)));
        Assert.Equal(BundleLimits.MaxUnpackedBytesSetting, error.LimitSetting);
    }

    [Fact]
    public async Task An_existing_target_is_refused()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(GoldenDigestTests.Golden());
        using var temp = new TempDirectory();
        await Assert.ThrowsAsync<IOException>(() => ExtractAsync(tar, temp.Path, summary.Digest));
    }

    /// <summary>Canonical bytes by the library's own writer, for trees the canonicalizer would refuse.</summary>
    private static byte[] BuildCanonical(params IndexedEntry[] entries)
    {
        using var output = new MemoryStream();
        CanonicalTar.WriteAsync(entries, entry => new MemoryStream(new byte[entry.Size]), output, CancellationToken.None).GetAwaiter().GetResult();
        return output.ToArray();
    }
}
