namespace Functions.Testing;

/// <summary>
/// The user-facing sample functions (<c>samples/hello</c>, <c>samples/page</c>), built into <c>samples/out/</c>
/// by the same script as <see cref="Fixtures"/>, so tests can run exactly what a user starts from.
/// </summary>
public static class Samples
{
    /// <summary>The absolute path of the built sample, e.g. <c>Path("hello")</c> or <c>Path("page.wasm")</c>.</summary>
    public static string Path(string name) => FixtureBuild.Locate(FixtureBuild.SamplesFolder, name, "sample");

    /// <summary>The built sample's bytes (see <see cref="Path"/>).</summary>
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));
}
