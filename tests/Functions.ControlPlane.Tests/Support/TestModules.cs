namespace Functions.ControlPlane.Tests.Support;

/// <summary>Tiny modules written byte by byte, for cases the built fixtures do not cover.</summary>
internal static class TestModules
{
    private static readonly byte[] Preamble = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

    /// <summary>Exports <c>run: () → ()</c> (an entrypoint) and <c>add: (i32, i32) → i32</c> (not one).</summary>
    public static byte[] RunAndAdd { get; } =
    [
        .. Preamble,
        0x01, 0x0a, 0x02, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // types: () -> (), (i32, i32) -> i32
        0x03, 0x03, 0x02, 0x00, 0x01,                                           // functions: type 0, type 1
        0x07, 0x0d, 0x02, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x01, // exports run, add
        0x0a, 0x0c, 0x02, 0x02, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code
    ];

    /// <summary>A valid preamble followed by a section that is not one.</summary>
    public static byte[] Truncated { get; } = [.. Preamble, 0x01, 0x7f, 0x02];

    /// <summary>A core module preamble with an unknown version.</summary>
    public static byte[] Version2 { get; } = [0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00];

    /// <summary>A valid module with no exports at all.</summary>
    public static byte[] Empty { get; } = [.. Preamble];
}
