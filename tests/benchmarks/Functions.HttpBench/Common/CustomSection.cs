using System.Text;

namespace Functions.HttpBench.Common;

/// <summary>
/// Appends a custom section (id 0) to a module: a new digest and any size, with the same code. Custom sections may
/// follow the last known section, and runtimes ignore their contents.
/// </summary>
internal static class CustomSection
{
    public static byte[] Append(byte[] module, string name, int payloadBytes, byte fill = 0)
    {
        var payload = new byte[payloadBytes];
        payload.AsSpan().Fill(fill);
        return Append(module, name, payload);
    }

    /// <summary>Appends a custom section named <paramref name="name"/> holding exactly <paramref name="payload"/>.</summary>
    public static byte[] Append(byte[] module, string name, ReadOnlySpan<byte> payload)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var nameLength = Leb128((uint)nameBytes.Length);
        var contentLength = checked(nameLength.Length + nameBytes.Length + payload.Length);
        var sectionLength = Leb128((uint)contentLength);
        var result = new byte[module.Length + 1 + sectionLength.Length + contentLength];
        var at = 0;
        module.CopyTo(result, at);
        at += module.Length;
        result[at++] = 0;
        sectionLength.CopyTo(result, at);
        at += sectionLength.Length;
        nameLength.CopyTo(result, at);
        at += nameLength.Length;
        nameBytes.CopyTo(result, at);
        at += nameBytes.Length;
        payload.CopyTo(result.AsSpan(at));
        return result;
    }

    private static byte[] Leb128(uint value)
    {
        var bytes = new List<byte>(5);
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
