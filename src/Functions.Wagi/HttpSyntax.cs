using System.Buffers;

namespace Functions.Wagi;

/// <summary>RFC 9110 syntax checks for header names (tokens) and values (field values).</summary>
public static class HttpSyntax
{
    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private const string TokenChars =
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly SearchValues<char> TokenCharValues = SearchValues.Create(TokenChars);
    private static readonly SearchValues<byte> TokenByteValues = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>True for a non-empty RFC 9110 token, the syntax of a header name.</summary>
    public static bool IsToken(ReadOnlySpan<char> name) => !name.IsEmpty && !name.ContainsAnyExcept(TokenCharValues);

    /// <summary>True for a non-empty RFC 9110 token, the syntax of a header name.</summary>
    public static bool IsToken(ReadOnlySpan<byte> name) => !name.IsEmpty && !name.ContainsAnyExcept(TokenByteValues);

    /// <summary>
    /// True when an undecoded request path holds a NUL byte, raw or percent-encoded (<c>%00</c>): a C module would see
    /// <c>PATH_INFO</c> end there, so what it checked would not be what was asked for. Such a request is refused (400).
    /// </summary>
    public static bool HasNul(ReadOnlySpan<char> rawPath) =>
        rawPath.Contains('\0') || rawPath.IndexOf("%00", StringComparison.Ordinal) >= 0;

    /// <summary>
    /// True for an RFC 9110 field value without leading or trailing whitespace: visible ASCII, with spaces
    /// and tabs inside. Obsolete non-ASCII bytes (obs-text) are refused: Kestrel would throw writing them.
    /// </summary>
    public static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return true;
        }

        if (IsWhitespace(value[0]) || IsWhitespace(value[^1]))
        {
            return false;
        }

        foreach (var b in value)
        {
            if (b is (< 0x20 and not (byte)'\t') or >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';
}
