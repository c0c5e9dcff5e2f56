namespace Functions.Wagi.Tests.Routing;

public sealed class PercentDecoderTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("/plain/path", "/plain/path")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/a%2Fb", "/a/b")]
    [InlineData("/a%2fb", "/a/b")]
    [InlineData("/a+b", "/a+b")]
    [InlineData("/caf%C3%A9", "/caf\u00e9")]
    [InlineData("/%E2%82%AC", "/\u20ac")]
    [InlineData("/100%", "/100%")]
    [InlineData("/%zz", "/%zz")]
    [InlineData("/%4", "/%4")]
    [InlineData("/%%41", "/%A")]
    [InlineData("/%FF", "/\ufffd")]
    [InlineData("/%C3", "/\ufffd")]
    [InlineData("/%00", "/\0")]
    [InlineData("/\u00e9%20", "/\u00e9 ")]
    public void Path_info_is_decoded_as_WAGI_and_Spin_decode_it(string raw, string decoded)
    {
        Assert.Equal(decoded, PercentDecoder.Decode(raw));
    }

    [Fact]
    public void A_path_without_escapes_is_returned_without_copying()
    {
        var raw = "/no/escapes/here";

        Assert.Same(raw, PercentDecoder.Decode(raw));
    }

    [Fact]
    public void A_long_path_is_decoded_beyond_the_stack_buffer()
    {
        var raw = "/" + string.Concat(Enumerable.Repeat("%41b", 1000));

        Assert.Equal("/" + string.Concat(Enumerable.Repeat("Ab", 1000)), PercentDecoder.Decode(raw));
    }
}
