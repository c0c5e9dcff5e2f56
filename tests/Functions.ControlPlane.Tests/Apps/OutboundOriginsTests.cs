using Functions.Contracts;

namespace Functions.ControlPlane.Tests.Apps;

public sealed class OutboundOriginsTests
{
    [Theory]
    [InlineData("https://api.example.com", "https://api.example.com")]
    [InlineData("HTTPS://API.EXAMPLE.COM/", "https://api.example.com")]
    [InlineData("https://api.example.com:443", "https://api.example.com")]
    [InlineData("http://api.example.com:80/", "http://api.example.com")]
    [InlineData("http://api.example.com:443", "http://api.example.com:443")]
    [InlineData("https://127.0.0.1:8443", "https://127.0.0.1:8443")]
    [InlineData("http://[::1]:8080", "http://[::1]:8080")]
    [InlineData("  https://api.example.com  ", "https://api.example.com")]
    [InlineData("https://bücher.example", "https://xn--bcher-kva.example")]
    public void An_origin_is_normalised_to_scheme_host_and_a_port_other_than_the_default(string text, string expected)
    {
        Assert.True(OutboundOrigins.TryNormalize(text, out var origin, out var problem), problem);
        Assert.Equal(expected, origin);
    }

    [Theory]
    [InlineData("", "scheme and a host")]
    [InlineData("api.example.com", "write https://api.example.com")]
    [InlineData("ftp://api.example.com", "only http and https")]
    [InlineData("https://api.example.com/v1", "no path")]
    [InlineData("https://api.example.com?a=b", "no query")]
    [InlineData("https://api.example.com#top", "no fragment")]
    [InlineData("https://user:pass@api.example.com", "no user name or password")]
    [InlineData("https://*.example.com", "wildcards")]
    [InlineData("insecure:allow-all", "allowing every host")]
    [InlineData("https://", "not a host")]
    [InlineData("https://api.example.com:99999", "not a host")]
    [InlineData("https://api example.com", "not a host")]
    public void An_entry_that_is_not_a_plain_origin_is_refused_with_what_to_change(string text, string expected)
    {
        Assert.False(OutboundOrigins.TryNormalize(text, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicates_collapse_to_the_first_and_bad_entries_are_reported_by_index()
    {
        var problems = new List<int>();

        var origins = OutboundOrigins.NormalizeAll(
            ["https://b.example.com", "nope", "https://A.example.com", "https://b.example.com:443/"], (i, _) => problems.Add(i));

        Assert.Equal(["https://b.example.com", "https://a.example.com"], origins);
        Assert.Equal([1], problems);
    }
}
