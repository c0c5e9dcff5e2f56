using System.Runtime.InteropServices;

namespace Functions.Files;

/// <summary>
/// Tells a regular file from a FIFO, socket or device, which .NET reports alike (and opening a FIFO would block).
/// statx's layout is the same on every Linux architecture; elsewhere every non-folder, non-link counts as regular.
/// </summary>
internal static partial class FileKind
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 0x1C;
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;

    /// <summary>The file type of <paramref name="path"/> (not following a link) when it is not a regular file:
    /// "a FIFO", "a socket", "a device"; null for a regular file.</summary>
    public static string? NotRegular(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, ref buffer[0]) != 0)
        {
            throw new IOException($"Cannot read the type of '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        var type = BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask;
        return type switch
        {
            Regular => null,
            0x1000 => "a FIFO (named pipe)",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            _ => "not a regular file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, ref byte statx);
}
