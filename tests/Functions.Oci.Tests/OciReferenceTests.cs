namespace Functions.Oci.Tests;

public class OciReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("registry.example.com/team/hello:1.0", "registry.example.com", "team/hello", "1.0", null)]
    [InlineData("oci://127.0.0.1:5000/hello", "127.0.0.1:5000", "hello", "latest", null)]
    [InlineData("localhost/a/b/c", "localhost", "a/b/c", "latest", null)]
    [InlineData("Registry.Example.COM:443/x_y/z-w:v1_2.3", "registry.example.com:443", "x_y/z-w", "v1_2.3", null)]
    [InlineData("[::1]:5000/hello:1", "[::1]:5000", "hello", "1", null)]
    [InlineData("r.io/hello@sha256:" + Hex, "r.io", "hello", null, "sha256:" + Hex)]
    [InlineData("r.io/hello:1@sha256:" + Hex, "r.io", "hello", "1", "sha256:" + Hex)]
    public void A_reference_names_registry_repository_tag_and_digest(string text, string registry, string repository, string? tag, string? digest)
    {
        var reference = OciReference.Parse(text);

        Assert.Equal(new OciReference(registry, repository, tag, digest), reference);
        Assert.Equal(reference, OciReference.Parse(reference.ToString()));
        Assert.False(reference.ToString().StartsWith("oci://", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello:1", "names no registry")]
    [InlineData("library/hello:1", "is not a registry host")]
    [InlineData("https://r.io/hello:1", "URL scheme")]
    [InlineData("r.io/Hello:1", "is not a valid repository")]
    [InlineData("r.io/hello:-1", "is not a valid tag")]
    [InlineData("r.io/hello@sha256:abc", "is not a sha256 digest")]
    [InlineData("r.io/hello@md5:" + Hex, "is not a sha256 digest")]
    [InlineData("r_x.io/hello", "is not a valid registry host")]
    public void An_invalid_reference_says_what_is_wrong(string text, string expected)
    {
        Assert.False(OciReference.TryParse(text, out var reference, out var error));
        Assert.Null(reference);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<OciException>(() => OciReference.Parse(text));
        Assert.Equal(OciErrorKind.InvalidReference, thrown.Kind);
    }
}
