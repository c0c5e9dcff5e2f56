namespace Functions.Cli.Tests.Support;

/// <summary>A fresh folder for a test's input files, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "functions-cli-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Writes a file (folders created) and returns its absolute path.</summary>
    public string Write(string relative, string text)
    {
        var path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Copies a file in (folders created) and returns its absolute path.</summary>
    public string Copy(string source, string relative)
    {
        var path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.Copy(source, path);
        return path;
    }

    /// <summary>A stand-in module file: the importer and manifest reader only need it to exist.</summary>
    public string Module(string relative) =>
        Write(relative, "\0asm\u0001\0\0\0");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
    }
}
