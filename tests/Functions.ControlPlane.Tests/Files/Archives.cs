using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Functions.ControlPlane.Tests.Files;

/// <summary>Builds tars as users' tools write them: any member order, real times and owners, optionally gzipped.</summary>
internal static class Archives
{
    public sealed record Member(string Path, byte[]? Content = null, UnixFileMode Mode = (UnixFileMode)0b110_100_100,
        TarEntryType Type = TarEntryType.RegularFile, string? LinkTarget = null)
    {
        public static Member File(string path, string text, UnixFileMode mode = (UnixFileMode)0b110_100_100) =>
            new(path, Encoding.UTF8.GetBytes(text), mode);

        public static Member Directory(string path) =>
            new(path, null, (UnixFileMode)0b111_101_101, TarEntryType.Directory);
    }

    public static byte[] Tar(DateTimeOffset time, int uid, params Member[] members)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var member in members)
            {
                var entry = new PaxTarEntry(member.Type, member.Path)
                {
                    Mode = member.Mode,
                    ModificationTime = time,
                    Uid = uid,
                    Gid = uid,
                    UserName = uid == 0 ? "" : "someone",
                };
                if (member.LinkTarget is { } target)
                {
                    entry.LinkName = target;
                }

                if (member.Content is { } content)
                {
                    entry.DataStream = new MemoryStream(content);
                }

                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    public static byte[] Tar(params Member[] members) => Tar(DateTimeOffset.UnixEpoch.AddDays(20000), 1000, members);

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    public static ByteArrayContent Content(byte[] bytes, string mediaType = "application/x-tar")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
