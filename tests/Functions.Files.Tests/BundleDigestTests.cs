namespace Functions.Files.Tests;

public class BundleDigestTests
{
    [Theory]
    [InlineData("sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE")]
    [InlineData("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    public void Normalize_accepts_the_prefixed_or_bare_hex_in_any_case(string text) =>
        Assert.Equal("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", BundleDigest.Normalize(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha512:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7a")]
    [InlineData("sha256:zc26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")]
    public void Normalize_refuses_anything_else(string? text) => Assert.Null(BundleDigest.Normalize(text));
}
