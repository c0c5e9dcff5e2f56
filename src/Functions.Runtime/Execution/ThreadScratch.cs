using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Functions.Runtime.Execution;

/// <summary>
/// One runner's reusable state (an execution thread's, or a synchronous caller's while it borrows it): its stdout and
/// stderr capture files (on tmpfs, so capturing costs no disk write), the handles that read them back, the epoch watch
/// and a buffer for the C strings of argv and the environment. Used by one invocation at a time, never shared.
/// Files, not Wasmtime's custom output callbacks: a callback stream costs a tokio task per store, started with the
/// WASI context and stopped with the store, whether the module writes or not. Measured with the invocation benchmark:
/// a custom stderr stream made every hello request ≈ 25 µs slower than a stderr file (docs/performance.md).
/// </summary>
internal sealed class ThreadScratch : IDisposable
{
    /// <summary>Output larger than this is truncated away after the run so tmpfs does not hold it until the next one.</summary>
    private const long KeepCaptureBytes = 1024 * 1024;

    private readonly string[] _paths;

    public ThreadScratch(string directory, int id, int maxStderrBytes)
    {
        var stem = Path.Combine(directory, $"t{id}");
        _paths = [stem + ".out", stem + ".err"];
        StdoutPath = NullTerminated(_paths[0]);
        StderrPath = NullTerminated(_paths[1]);
        Stdout = File.OpenHandle(_paths[0], FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        Stderr = File.OpenHandle(_paths[1], FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        MaxStderrBytes = maxStderrBytes;
        Watch = new RunWatch(Stdout, Stderr);
    }

    /// <summary>UTF-8, NUL-terminated, pinned: handed to <c>wasi_config_set_stdout_file</c>.</summary>
    public byte[] StdoutPath { get; }

    /// <summary>UTF-8, NUL-terminated, pinned: handed to <c>wasi_config_set_stderr_file</c>.</summary>
    public byte[] StderrPath { get; }

    public SafeFileHandle Stdout { get; }

    public SafeFileHandle Stderr { get; }

    /// <summary>stderr bytes kept for the result; the rest is counted, not read.</summary>
    public int MaxStderrBytes { get; }

    public RunWatch Watch { get; }

    public NativeStrings Strings { get; } = new();

    /// <summary>Reads a capture file whole (it is at most its limit plus one tick of writing, checked by the caller).</summary>
    public static byte[] Read(SafeFileHandle file, long length)
    {
        if (length <= 0)
        {
            return [];
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)length);
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(file, bytes.AsSpan(read), read);
            if (n == 0)
            {
                return bytes[..read];
            }

            read += n;
        }

        return bytes;
    }

    /// <summary>Frees tmpfs pages a large output left behind (Wasmtime truncates the file anyway at the next run).</summary>
    public void Release(long stdoutLength, long stderrLength)
    {
        if (stdoutLength > KeepCaptureBytes)
        {
            RandomAccess.SetLength(Stdout, 0);
        }

        if (stderrLength > KeepCaptureBytes)
        {
            RandomAccess.SetLength(Stderr, 0);
        }
    }

    private static byte[] NullTerminated(string text)
    {
        var bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(text) + 1, pinned: true);
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    public void DeleteFiles()
    {
        foreach (var path in _paths)
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

    public void Dispose()
    {
        Watch.Dispose();
        Stdout.Dispose();
        Stderr.Dispose();
    }
}
