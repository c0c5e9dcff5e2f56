using System.Formats.Tar;

namespace Functions.Files.Tests;

/// <summary>
/// Pins the canonical format byte for byte: if this digest changes, every stored bundle's digest changes with it, so
/// the change is a format break (new digests for the same content), never an accident.
/// </summary>
public class GoldenDigestTests
{
    internal static byte[] Golden() => new TestTar(TarEntryFormat.Gnu) { Uid = 501, Owner = "dev" }
        .File("www/index.html", "<!doctype html>\n<p>hello</p>\n")
        .File("bin/start", "#!/bin/sh\nexec ./app\n", mode: "750")
        .File("www/" + new string('l', 120) + ".txt", "long name\n", mode: "600")
        .Symlink("www/home.html", "index.html")
        .Directory("empty", mode: "700")
        .ToArray();

    [Fact]
    public async Task The_digest_of_a_small_fixed_bundle_is_pinned()
    {
        var (summary, tar) = await Bundles.CanonicalizeAsync(Golden());
        // Checked when pinned: python3 tarfile and tar --numeric-owner --full-time -tvf list mtime 0, uid/gid 0, empty
        // owner names, folders 0755, the link 0777, files with their own modes, the 124-byte name in a PAX "path" record.
        Assert.Equal("sha256:ad917975110b6b3ea8ce219b073941bca870668c00ceebf262be5448ea628938", summary.Digest);
        Assert.Equal(7168, tar.Length);
    }
}
