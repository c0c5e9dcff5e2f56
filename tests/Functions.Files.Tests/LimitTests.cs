namespace Functions.Files.Tests;

public class LimitTests
{
    [Fact]
    public async Task A_gzip_bomb_stops_at_the_unpacked_limit_before_it_is_read()
    {
        // 50 MiB of zeros compresses to ~50 KiB; the header announces the size, so nothing of it is spooled.
        var bomb = TestTar.Gzip(new TestTar().File("zeros.bin", new byte[50 << 20]).ToArray());
        Assert.True(bomb.Length < 1 << 20);
        var error = await Bundles.RejectAsync(bomb, new BundleLimits(256L << 20, 1L << 20, 100));
        Assert.Equal(BundleLimits.MaxUnpackedBytesSetting, error.LimitSetting);
        Assert.Contains("1048576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("Functions:Files:MaxUnpackedBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_small_files_stop_at_the_unpacked_limit()
    {
        var tar = new TestTar();
        for (var i = 0; i < 40; i++)
        {
            tar.File($"f{i}.bin", new byte[1000]);
        }

        var error = await Bundles.RejectAsync(tar.ToArray(), new BundleLimits(1L << 30, 30_000, 1000));
        Assert.Equal(BundleLimits.MaxUnpackedBytesSetting, error.LimitSetting);
        Assert.Contains("'f30.bin'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_over_the_archive_limit_is_refused_by_its_compressed_size()
    {
        var noise = new Random(5).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 200_000);
        var gzip = TestTar.Gzip(new TestTar().File("noise.bin", noise).ToArray());
        var error = await Bundles.RejectAsync(gzip, new BundleLimits(100_000, 1L << 30, 100));
        Assert.Equal(BundleLimits.MaxArchiveBytesSetting, error.LimitSetting);
        Assert.Contains("100000 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("Functions:Files:MaxArchiveBytes", error.Message, StringComparison.Ordinal);

        // The same archive passes with a limit just above its size: the limit counts compressed bytes.
        await Bundles.CanonicalizeAsync(gzip, new BundleLimits(gzip.Length, 1L << 30, 100));
    }

    [Fact]
    public async Task Too_many_entries_are_refused_counting_implied_folders()
    {
        var flat = new TestTar();
        for (var i = 0; i < 11; i++)
        {
            flat.File($"f{i}", "");
        }

        var error = await Bundles.RejectAsync(flat.ToArray(), new BundleLimits(1L << 30, 1L << 30, 10));
        Assert.Equal(BundleLimits.MaxEntriesSetting, error.LimitSetting);
        Assert.Contains("more than 10 entries", error.Message, StringComparison.Ordinal);
        Assert.Contains("Functions:Files:MaxEntries", error.Message, StringComparison.Ordinal);

        // Six files in six folders: 6 entries in the archive, 12 in the bundle.
        var nested = new TestTar();
        for (var i = 0; i < 6; i++)
        {
            nested.File($"d{i}/f", "");
        }

        error = await Bundles.RejectAsync(nested.ToArray(), new BundleLimits(1L << 30, 1L << 30, 10));
        Assert.Equal(BundleLimits.MaxEntriesSetting, error.LimitSetting);
    }
}
