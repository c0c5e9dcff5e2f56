using Functions.Cli.Output;

namespace Functions.Cli.Tests.Output;

/// <summary>How values and tables look in human-readable output.</summary>
public class FormatsTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(165, "165 B")]
    [InlineData(15_565, "15.2 KiB")]
    [InlineData(1_767_204, "1.7 MiB")]
    [InlineData(3L << 30, "3 GiB")]
    public void Sizes_use_binary_units(long bytes, string text) => Assert.Equal(text, Formats.Bytes(bytes));

    [Theory]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "sha256:2c26b46b68ff")]
    [InlineData("sha256:abc", "sha256:abc")]
    public void Digests_are_shortened_to_twelve_hex_digits(string digest, string text) =>
        Assert.Equal(text, Formats.ShortDigest(digest));

    [Fact]
    public void Tables_align_columns_two_spaces_apart_without_trailing_spaces()
    {
        using var writer = new StringWriter();

        TextTable.Write(writer, ["ROUTE", "MODULE", "NOTE"], [["/a", "sha256:1", ""], ["/longer", "m", "x"]]);

        Assert.Equal(
            "ROUTE    MODULE    NOTE\n/a       sha256:1\n/longer  m         x\n",
            writer.ToString().ReplaceLineEndings("\n"));
    }
}
