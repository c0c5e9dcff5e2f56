using Functions.Cli.Commands;

namespace Functions.Cli.Tests.Commands;

public class DigestArgumentTests
{
    private static readonly string A = "sha256:" + new string('a', 60) + "0001";
    private static readonly string B = "sha256:" + new string('a', 60) + "0002";
    private static readonly string C = "sha256:" + new string('c', 64);

    private static readonly DigestArgument Things = new(given => $"not: {given}", given => $"none: {given}", "things");

    private int _listed;

    private Task<IEnumerable<string>> Stored(CancellationToken cancel)
    {
        _listed++;
        return Task.FromResult<IEnumerable<string>>([A, B, C]);
    }

    [Theory]
    [InlineData("CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC")]
    [InlineData(" sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc ")]
    public async Task A_whole_digest_in_any_form_is_normalized_without_listing(string given)
    {
        Assert.Equal(C, await Things.ResolveAsync(given, Stored, CancellationToken.None));
        Assert.Equal(0, _listed);
    }

    [Theory]
    [InlineData("sha256:cc")]
    [InlineData("CC")]
    public async Task A_prefix_that_matches_one_stored_digest_gives_it(string given)
    {
        Assert.Equal(C, await Things.ResolveAsync(given, Stored, CancellationToken.None));
        Assert.Equal(1, _listed);
    }

    [Fact]
    public async Task Prefixes_match_from_the_start_of_the_hex_only()
    {
        var error = await Assert.ThrowsAsync<CliException>(() => Things.ResolveAsync("aaaa0002", Stored, CancellationToken.None));
        Assert.Equal("none: aaaa0002", error.Message);
    }

    [Fact]
    public async Task An_ambiguous_prefix_lists_the_matches_and_other_text_says_what_it_is_not()
    {
        var ambiguous = await Assert.ThrowsAsync<CliException>(() => Things.ResolveAsync("sha256:aaaa", Stored, CancellationToken.None));
        Assert.Equal("'sha256:aaaa' matches 2 things; give more of the digest:", ambiguous.Message);
        Assert.Equal([A, B], ambiguous.Details);

        var garbage = await Assert.ThrowsAsync<CliException>(() => Things.ResolveAsync("sha256:xyz", Stored, CancellationToken.None));
        Assert.Equal("not: sha256:xyz", garbage.Message);
        var empty = await Assert.ThrowsAsync<CliException>(() => Things.ResolveAsync("sha256:", Stored, CancellationToken.None));
        Assert.Equal("not: sha256:", empty.Message);
    }
}
