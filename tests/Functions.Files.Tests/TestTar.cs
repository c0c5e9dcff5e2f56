using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Functions.Files.Tests;

/// <summary>Builds test archives with System.Formats.Tar: any format, order, times and owners.</summary>
internal sealed class TestTar(TarEntryFormat format = TarEntryFormat.Pax)
{
    private readonly List<TarEntry> entries = [];

    public DateTimeOffset Time { get; init; } = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
    public int Uid { get; init; } = 1000;
    public string Owner { get; init; } = "alice";

    public static int Octal(string digits) => Convert.ToInt32(digits, 8);

    public TestTar File(string name, string content, string mode = "644") => File(name, Encoding.UTF8.GetBytes(content), mode);

    public TestTar File(string name, byte[] content, string mode = "644") =>
        Add(TarEntryType.RegularFile, name, e => e.DataStream = new MemoryStream(content), mode);

    public TestTar Directory(string name, string mode = "755") => Add(TarEntryType.Directory, name, null, mode);

    public TestTar Symlink(string name, string target) => Add(TarEntryType.SymbolicLink, name, e => e.LinkName = target, "777");

    public TestTar Add(TarEntryType type, string name, Action<TarEntry>? setup = null, string mode = "644")
    {
        if (format == TarEntryFormat.V7 && type == TarEntryType.RegularFile)
        {
            type = TarEntryType.V7RegularFile;
        }

        TarEntry entry = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            _ => new V7TarEntry(type, name),
        };
        entry.Mode = (UnixFileMode)Octal(mode);
        entry.ModificationTime = Time;
        entry.Uid = Uid;
        entry.Gid = Uid;
        if (entry is PosixTarEntry posix)
        {
            posix.UserName = Owner;
            posix.GroupName = Owner;
        }

        setup?.Invoke(entry);
        entries.Add(entry);
        return this;
    }

    public TestTar Reversed()
    {
        entries.Reverse();
        return this;
    }

    public byte[] ToArray()
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, format, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                entry.DataStream?.Seek(0, SeekOrigin.Begin);
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
