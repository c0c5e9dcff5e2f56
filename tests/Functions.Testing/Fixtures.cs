namespace Functions.Testing;

/// <summary>
/// The project's own WebAssembly test modules, built from source (<c>tests/fixtures/*.wat|.c|.rs</c>)
/// by <c>tests/fixtures/build.sh</c> on first use in a process. <c>tests/fixtures/README.md</c> says what
/// each one does and which environment variables it reads.
/// </summary>
public static class Fixtures
{
    /// <summary>
    /// The absolute path of the built fixture, e.g. <c>Path("hello-wat")</c> or <c>Path("trap.wasm")</c>.
    /// Throws <see cref="InvalidOperationException"/> with the script's output when the build fails, and
    /// <see cref="FileNotFoundException"/> listing the fixtures there are for an unknown name.
    /// </summary>
    public static string Path(string name) => FixtureBuild.Locate(FixtureBuild.FixturesFolder, name, "fixture");

    /// <summary>The built fixture's bytes (see <see cref="Path"/>).</summary>
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));
}
