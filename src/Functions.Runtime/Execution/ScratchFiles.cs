namespace Functions.Runtime.Execution;

/// <summary>
/// One execution thread's stdin/stdout/stderr files. They live on tmpfs, so a request costs no disk write, and they
/// are reused by every invocation the thread runs: one at a time, never shared.
/// </summary>
internal sealed class ScratchFiles : IDisposable
{
    public ScratchFiles(string directory)
    {
        var stem = Path.Combine(directory, $"functions-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Stdin = stem + ".in";
        Stdout = stem + ".out";
        Stderr = stem + ".err";
    }

    public string Stdin { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    public void Dispose()
    {
        foreach (var path in new[] { Stdin, Stdout, Stderr })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }
}
