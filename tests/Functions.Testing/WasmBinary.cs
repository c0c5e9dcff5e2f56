using System.Text;

namespace Functions.Testing;

/// <summary>Pieces of the WebAssembly binary format for tests that write modules byte by byte.</summary>
public static class WasmBinary
{
    /// <summary>An unsigned LEB128 number, as the binary format writes sizes, counts and limits.</summary>
    public static byte[] Leb128(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>
    /// <paramref name="module"/> with a custom section (id 0) named <paramref name="name"/> appended: another digest,
    /// the same code.
    /// </summary>
    public static byte[] WithCustomSection(byte[] module, string name, byte[] payload)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] content = [.. Leb128((uint)nameBytes.Length), .. nameBytes, .. payload];
        return [.. module, 0, .. Leb128((uint)content.Length), .. content];
    }
}
