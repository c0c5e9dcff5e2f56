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

    /// <summary>
    /// A module exporting <c>_start</c> and <c>f(anyref)</c>: GC's reference type, which Wasmtime's C API cannot describe
    /// (reading the exports of such a module aborted the process). Found by ModuleUploadReaderProperties mutating a
    /// parameter's <c>i32</c> (0x7f) into <c>anyref</c> (0x6e).
    /// </summary>
    public static byte[] AnyrefExport { get; } =
    [
        0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x08, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x6E, 0x00, // types: () -> (), (anyref) -> ()
        0x03, 0x03, 0x02, 0x00, 0x01, // functions
        0x07, 0x0E, 0x02, 0x06, (byte)'_', (byte)'s', (byte)'t', (byte)'a', (byte)'r', (byte)'t', 0x00, 0x00,
        0x01, (byte)'f', 0x00, 0x01, // exports: _start, f
        0x0A, 0x07, 0x02, 0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B, // code: two empty bodies
    ];
}
