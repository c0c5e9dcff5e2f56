using System.Text;

namespace Functions.Wagi.Tests;

public sealed class HttpSyntaxTests
{
    [Theory]
    [InlineData("/a%00b", true)]
    [InlineData("/file.txt%00.png", true)]
    [InlineData("/%00", true)]
    [InlineData("/a\0b", true)]
    [InlineData("/a%000", true)]
    [InlineData("/a%0", false)]
    [InlineData("/a%2500", false)]
    [InlineData("/a0%0a0", false)]
    [InlineData("/plain", false)]
    public void A_path_with_a_NUL_raw_or_percent_encoded_is_recognised(string rawPath, bool hasNul)
    {
        Assert.Equal(hasNul, HttpSyntax.HasNul(rawPath));
    }

    [Theory]
    [InlineData("Content-Type", true)]
    [InlineData("x-a_b.c~d!#$%&'*+^`|", true)]
    [InlineData("", false)]
    [InlineData("A B", false)]
    [InlineData("A:B", false)]
    [InlineData("A\"B", false)]
    [InlineData("A(B)", false)]
    [InlineData("A/B", false)]
    [InlineData("A@B", false)]
    [InlineData("A\u00e9", false)]
    public void A_header_name_must_be_an_RFC_9110_token(string name, bool legal)
    {
        Assert.Equal(legal, HttpSyntax.IsToken(name));
        Assert.Equal(legal, HttpSyntax.IsToken(Encoding.UTF8.GetBytes(name)));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("a\tb c", true)]
    [InlineData("\"quoted, with comma\"", true)]
    [InlineData(" leading", false)]
    [InlineData("trailing\t", false)]
    [InlineData("a\rb", false)]
    [InlineData("a\nb", false)]
    [InlineData("a\0b", false)]
    [InlineData("a\u007fb", false)]
    [InlineData("caf\u00e9", false)]
    public void A_header_value_must_be_visible_ASCII_with_inner_spaces(string value, bool legal)
    {
        Assert.Equal(legal, HttpSyntax.IsFieldValue(Encoding.UTF8.GetBytes(value)));
    }
}
