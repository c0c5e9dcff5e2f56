using System.Buffers;
using System.Text;

namespace Functions.Wagi;

/// <summary>
/// Percent-decoding of a path as Rust's <c>percent_decode_str(..).decode_utf8_lossy()</c> does it (Spin, WAGI):
/// <c>%XX</c> → byte (also <c>%2F</c>), malformed escapes left as written, <c>+</c> kept, bytes read as
/// UTF-8 with U+FFFD for invalid sequences.
/// </summary>
public static class PercentDecoder
{
    private const int StackLimit = 512;

    /// <summary>Decodes <paramref name="raw"/>; returns the same instance when it holds no escape.</summary>
    public static string Decode(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var firstEscape = raw.IndexOf('%', StringComparison.Ordinal);
        if (firstEscape < 0)
        {
            return raw;
        }

        // Decoded bytes never outnumber the UTF-8 bytes of the input.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(raw.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxBytes <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var written = Encoding.UTF8.GetBytes(raw.AsSpan(0, firstEscape), buffer);
            var rest = raw.AsSpan(firstEscape);
            while (!rest.IsEmpty)
            {
                if (rest[0] == '%' && rest.Length >= 3 && TryHex(rest[1], rest[2], out var value))
                {
                    buffer[written++] = value;
                    rest = rest[3..];
                    continue;
                }

                // Copy the literal run up to the next '%' (a lone or malformed '%' is copied as itself).
                var next = rest[1..].IndexOf('%');
                var run = next < 0 ? rest : rest[..(next + 1)];
                written += Encoding.UTF8.GetBytes(run, buffer[written..]);
                rest = rest[run.Length..];
            }

            // Encoding.UTF8 replaces invalid sequences with U+FFFD instead of throwing.
            return Encoding.UTF8.GetString(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool TryHex(char high, char low, out byte value)
    {
        var h = HexValue(high);
        var l = HexValue(low);
        value = (byte)((h << 4) | l);
        return h >= 0 && l >= 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
