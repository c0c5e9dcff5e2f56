using Functions.Cli.Files;
using Functions.Cli.Tests.Support;

namespace Functions.Cli.Tests.Files;

/// <summary>Packing is deterministic: the digest follows the content, not when or in which order files were written.</summary>
public sealed class BundlePackerTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task The_same_folder_packed_twice_gives_the_same_digest_and_bytes()
    {
        var site = Site("site");

        using var first = await BundlePacker.PackAsync(BundlePlan.FromFolder(site, "site/"), CancellationToken.None);
        using var second = await BundlePacker.PackAsync(BundlePlan.FromFolder(site, "site/"), CancellationToken.None);

        Assert.Equal(first.Summary.Digest, second.Summary.Digest);
        Assert.Equal(await File.ReadAllBytesAsync(first.Path), await File.ReadAllBytesAsync(second.Path));
        Assert.Equal(2, first.Summary.FileCount);
    }

    [Fact]
    public async Task Touching_files_or_writing_them_in_another_order_keeps_the_digest_and_a_content_change_does_not()
    {
        var site = Site("site");
        using var before = await BundlePacker.PackAsync(BundlePlan.FromFolder(site, "site/"), CancellationToken.None);

        File.SetLastWriteTimeUtc(Path.Combine(site, "index.html"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(Path.Combine(site, "css"), new DateTime(2002, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        using var touched = await BundlePacker.PackAsync(BundlePlan.FromFolder(site, "site/"), CancellationToken.None);
        var copy = Site("copy", reverse: true);
        using var copied = await BundlePacker.PackAsync(BundlePlan.FromFolder(copy, "copy/"), CancellationToken.None);
        File.AppendAllText(Path.Combine(site, "index.html"), "!");
        using var changed = await BundlePacker.PackAsync(BundlePlan.FromFolder(site, "site/"), CancellationToken.None);

        Assert.Equal(before.Summary.Digest, touched.Summary.Digest);
        Assert.Equal(before.Summary.Digest, copied.Summary.Digest);
        Assert.NotEqual(before.Summary.Digest, changed.Summary.Digest);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_packed_says_which_and_leaves_no_temp_file()
    {
        var site = Site("site");
        File.CreateSymbolicLink(Path.Combine(site, "escape"), "/etc/passwd");
        var before = Directory.GetFiles(Path.GetTempPath(), "functions-bundle-*").Length;

        var error = await Assert.ThrowsAsync<CliException>(() => BundlePacker.PackAsync(BundlePlan.FromFolder(site, "site/"), CancellationToken.None));

        Assert.StartsWith("site/: cannot be packed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "functions-bundle-*").Length);
    }

    private string Site(string name, bool reverse = false)
    {
        (string Path, string Text)[] files = [("index.html", "<h1>home</h1>"), ("css/site.css", "body{}")];
        foreach (var (path, text) in reverse ? files.Reverse() : files)
        {
            folder.Write($"{name}/{path}", text);
        }

        return Path.Combine(folder.Path, name);
    }
}
