using CsCheck;
using Functions.Contracts;
using Functions.Testing;

namespace Functions.Files.Tests;

/// <summary>
/// The platform's one digest format (Functions.Contracts), pinned here because bundles, modules, the worker's caches and
/// the CLI all name content with it.
/// </summary>
public class ContentDigestTests
{
    private const string Foo = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

    [Fact]
    public void A_digest_is_the_prefix_and_the_lowercase_hex_of_the_sha256() =>
        Assert.Equal(Foo, ContentDigest.Of("foo"u8));

    [Theory]
    [InlineData("sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE")]
    [InlineData("SHA256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    [InlineData("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    public void Normalize_accepts_the_prefixed_or_bare_hex_in_any_case(string text) =>
        Assert.Equal(Foo, ContentDigest.Normalize(text));

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("sha256:")]
    [InlineData("sha512:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    [InlineData("sha256:sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7a")]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae0")]
    [InlineData("sha256:zc26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    [InlineData("sha256: c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    public void Normalize_refuses_anything_else(string? text)
    {
        Assert.Null(ContentDigest.Normalize(text));
        Assert.False(ContentDigest.IsValid(text));
    }

    [Theory]
    [InlineData(Foo, true)]
    [InlineData("sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE", false)]
    [InlineData("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", false)]
    public void Only_the_written_form_is_valid_as_it_stands(string text, bool valid) =>
        Assert.Equal(valid, ContentDigest.IsValid(text));

    [Theory]
    [InlineData(Foo)]
    [InlineData("sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE")]
    [InlineData("2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE")]
    public void Hex_is_the_64_lowercase_digits_without_the_prefix(string digest) =>
        Assert.Equal(Foo["sha256:".Length..], ContentDigest.Hex(digest));

    [Fact]
    public void Hex_of_something_else_throws_saying_what_a_digest_is()
    {
        var error = Assert.Throws<ArgumentException>(() => ContentDigest.Hex("../etc/passwd"));
        Assert.Contains("'sha256:' followed by 64 hex digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_digest_that_is_not_one_still_throws_with_the_bundle_hint()
    {
        var error = Assert.Throws<ArgumentException>(() => BundleDigest.Hex("sha256:12"));
        Assert.StartsWith(BundleDigest.FormatHint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_digest_of_a_hash_is_the_digest_of_the_bytes() =>
        Assert.Equal(Foo, ContentDigest.FromHash(System.Security.Cryptography.SHA256.HashData("foo"u8)));

    [Fact]
    public void Of_a_stream_is_of_its_bytes_from_the_position_to_the_end()
    {
        Gen.Select(Gen.Byte.Array[0, 200_000], Gen.Int[0, 100]).Sample((bytes, skipPercent) =>
        {
            var skip = bytes.Length * skipPercent / 100;
            using var stream = new MemoryStream(bytes) { Position = skip };
            var ofStream = ContentDigest.OfAsync(stream).GetAwaiter().GetResult();
            return ofStream == ContentDigest.Of(bytes.AsSpan(skip)) && stream.Position == bytes.Length;
        }, iter: PropertyRuns.Iterations(100), threads: 1);
    }
}
