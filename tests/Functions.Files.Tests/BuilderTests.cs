using System.Diagnostics;

namespace Functions.Files.Tests;

public class BuilderTests
{
    private static async Task<(BundleSummary Summary, byte[] Tar)> BuildAsync(string directory, string? root = null)
    {
        using var output = new MemoryStream();
        var summary = await BundleBuilder.FromDirectoryAsync(directory, root, output, CancellationToken.None);
        return (summary, output.ToArray());
    }

    private static async Task<string> Tree(TempDirectory temp)
    {
        var tree = temp.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, "static/css"));
        Directory.CreateDirectory(Path.Combine(tree, "empty"));
        await File.WriteAllTextAsync(Path.Combine(tree, "index.html"), "<h1>hello</h1>\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "static/css/site.css"), "body{}\n");
        File.SetUnixFileMode(Path.Combine(tree, "static/css/site.css"), (UnixFileMode)TestTar.Octal("600"));
        File.CreateSymbolicLink(Path.Combine(tree, "static/current"), "css");
        return tree;
    }

    [Fact]
    public async Task A_folder_packs_to_the_digest_its_tar_canonicalizes_to()
    {
        using var temp = new TempDirectory();
        var tree = await Tree(temp);
        var (built, tar) = await BuildAsync(tree);

        var gnuTar = temp.Combine("gnu.tar");
        CanonicalizerTests.Tar("-czf", gnuTar, "-C", tree, ".");
        var (canonical, canonicalTar) = await Bundles.CanonicalizeAsync(await File.ReadAllBytesAsync(gnuTar));
        Assert.Equal(canonical.Digest, built.Digest);
        Assert.Equal(canonicalTar, tar);
        Assert.Equal(canonical.Entries, built.Entries);
        Assert.Contains(new BundleEntry("static/css/site.css", BundleEntryKind.File, TestTar.Octal("600"), 7, null), built.Entries);
        Assert.Contains(new BundleEntry("empty", BundleEntryKind.Directory, TestTar.Octal("755"), 0, null), built.Entries);
    }

    [Fact]
    public async Task A_destination_root_puts_the_folder_under_that_path()
    {
        using var temp = new TempDirectory();
        var tree = await Tree(temp);
        var (summary, _) = await BuildAsync(tree, "/assets/v1");
        Assert.Equal(["assets", "assets/v1", "assets/v1/empty", "assets/v1/index.html"], summary.Entries.Take(4).Select(e => e.Path));
    }

    [Fact]
    public async Task Pairs_of_bundle_paths_and_local_files_or_folders_pack_together()
    {
        using var temp = new TempDirectory();
        var tree = await Tree(temp);
        using var output = new MemoryStream();
        var summary = await BundleBuilder.FromFilesAsync(
            [new("web", Path.Combine(tree, "static")), new("/config/app.json", Path.Combine(tree, "index.html"))],
            output, CancellationToken.None);
        Assert.Equal(["config", "config/app.json", "web", "web/css", "web/css/site.css", "web/current"], summary.Entries.Select(e => e.Path));

        var error = await Assert.ThrowsAsync<BundleFormatException>(() => BundleBuilder.FromFilesAsync(
            [new("a", Path.Combine(tree, "index.html")), new("./a", Path.Combine(tree, "index.html"))], new MemoryStream(), CancellationToken.None));
        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc")]
    public async Task A_link_leaving_the_folder_is_refused(string target)
    {
        using var temp = new TempDirectory();
        var tree = await Tree(temp);
        File.CreateSymbolicLink(Path.Combine(tree, "escape"), target);
        var error = await Assert.ThrowsAsync<BundleFormatException>(() => BuildAsync(tree));
        Assert.Equal("escape", error.EntryPath);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_opening_it()
    {
        using var temp = new TempDirectory();
        var tree = await Tree(temp);
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(tree, "pipe")))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var error = await Assert.ThrowsAsync<BundleFormatException>(() => BuildAsync(tree));
        Assert.Contains("FIFO", error.Message, StringComparison.Ordinal);
        Assert.Equal("pipe", error.EntryPath);
    }
}
