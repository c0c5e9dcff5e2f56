using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Functions.Runtime.Execution;

/// <summary>
/// One runner's reusable state (an execution thread's, or a synchronous caller's while it borrows it): its stdout capture file (on tmpfs, so capturing costs no disk
/// write; Wasmtime's file-backed stdout costs ≈ 3 µs a write where its callback stdout hops threads for ≈ 20 µs), the
/// handles that read them back, the epoch watch and a buffer for the C strings of argv and the environment.
/// Used by one invocation at a time, never shared.
/// </summary>
internal sealed class ThreadScratch : IDisposable
{
    /// <summary>Output larger than this is truncated away after the run so tmpfs does not hold it until the next one.</summary>
    private const long KeepCaptureBytes = 1024 * 1024;

    private readonly string[] _paths;

    public ThreadScratch(string directory, int id, int maxStderrBytes)
    {
        var stem = Path.Combine(directory, $"t{id}");
        _paths = [stem + ".out"];
        StdoutPath = NullTerminated(stem + ".out");
        Stdout = File.OpenHandle(stem + ".out", FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        Watch = new RunWatch(Stdout);
        Stderr = new StderrSink(maxStderrBytes);
    }

    /// <summary>UTF-8, NUL-terminated, pinned: handed to <c>wasi_config_set_stdout_file</c>.</summary>
    public byte[] StdoutPath { get; }

    public SafeFileHandle Stdout { get; }

    public StderrSink Stderr { get; }

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
    public void Release(long stdoutLength)
    {
        if (stdoutLength > KeepCaptureBytes)
        {
            RandomAccess.SetLength(Stdout, 0);
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
