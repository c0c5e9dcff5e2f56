using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Functions.Files;

/// <summary>
/// Writes the canonical tar, byte for byte the same for the same tree: ustar headers with mtime, uid and gid 0, empty
/// owner names, folders as "path/" with mode 0755, links with mode 0777. A path or link target that is not ASCII or
/// does not fit the 100-byte field, or a size past the 11 octal digits, goes into a PAX header named "././@PaxHeader"
/// (records in the order linkpath, path, size). No record padding: the archive ends with two zero blocks.
/// </summary>
internal static class CanonicalTar
{
    public const int Block = 512;
    private const long MaxOctalSize = 0x1FFFFFFFF; // 0o77777777777
    private const string PaxName = "././@PaxHeader";
    private static readonly byte[] Magic = "ustar\0"u8.ToArray();

    /// <summary>The header blocks (PAX header, if any, then ustar header) of one canonical entry.</summary>
    public static byte[] Header(IndexedEntry entry)
    {
        var name = entry.Kind == BundleEntryKind.Directory ? entry.Path + "/" : entry.Path;
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var linkBytes = entry.LinkTarget is null ? [] : Encoding.UTF8.GetBytes(entry.LinkTarget);
        var pax = new StringBuilder();
        if (NeedsPax(linkBytes, entry.LinkTarget))
        {
            pax.Append(Record("linkpath", entry.LinkTarget!));
        }

        if (NeedsPax(nameBytes, name))
        {
            pax.Append(Record("path", name));
        }

        if (entry.Size > MaxOctalSize)
        {
            pax.Append(Record("size", entry.Size.ToString(CultureInfo.InvariantCulture)));
        }

        var typeFlag = entry.Kind switch
        {
            BundleEntryKind.Directory => (byte)'5',
            BundleEntryKind.Symlink => (byte)'2',
            _ => (byte)'0',
        };
        var ustar = Ustar(nameBytes, entry.Mode, entry.Size > MaxOctalSize ? 0 : entry.Size, typeFlag, linkBytes);
        if (pax.Length == 0)
        {
            return ustar;
        }

        var records = Encoding.UTF8.GetBytes(pax.ToString());
        var paxHeader = Ustar(Encoding.ASCII.GetBytes(PaxName), 0, records.Length, (byte)'x', []);
        var result = new byte[paxHeader.Length + Padded(records.Length) + ustar.Length];
        paxHeader.CopyTo(result, 0);
        records.CopyTo(result, Block);
        ustar.CopyTo(result, Block + Padded(records.Length));
        return result;
    }

    public static long Padded(long size) => (size + Block - 1) / Block * Block;

    /// <summary>Writes <paramref name="entries"/> (canonical order) to <paramref name="destination"/>, each file's bytes
    /// from <paramref name="openData"/>, and returns the digest of everything written.</summary>
    public static async Task<string> WriteAsync(IReadOnlyList<IndexedEntry> entries, Func<IndexedEntry, Stream> openData,
        Stream destination, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        foreach (var entry in entries)
        {
            await WriteHashed(Header(entry)).ConfigureAwait(false);
            if (entry.Kind != BundleEntryKind.File)
            {
                continue;
            }

            var source = openData(entry);
            try
            {
                for (var left = entry.Size; left > 0;)
                {
                    var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException($"'{entry.Path}' ended {left} bytes early while it was being packed: it changed meanwhile.");
                    }

                    await WriteHashed(buffer.AsMemory(0, read)).ConfigureAwait(false);
                    left -= read;
                }
            }
            finally
            {
                if (entry.LocalPath is not null)
                {
                    await source.DisposeAsync().ConfigureAwait(false);
                }
            }

            await WriteHashed(new byte[Padded(entry.Size) - entry.Size]).ConfigureAwait(false);
        }

        await WriteHashed(new byte[2 * Block]).ConfigureAwait(false);
        return BundleDigest.FromHash(hash.GetHashAndReset());

        async Task WriteHashed(ReadOnlyMemory<byte> bytes)
        {
            hash.AppendData(bytes.Span);
            await destination.WriteAsync(bytes, ct).ConfigureAwait(false);
        }
    }

    private static bool NeedsPax(byte[] bytes, string? text) =>
        text is not null && (bytes.Length > 100 || !Ascii.IsValid(bytes));

    /// <summary>"&lt;length&gt; key=value\n", the length counting itself.</summary>
    private static string Record(string key, string value)
    {
        var rest = 1 + key.Length + 1 + Encoding.UTF8.GetByteCount(value) + 1;
        var length = rest + 1;
        while (length.ToString(CultureInfo.InvariantCulture).Length + rest != length)
        {
            length++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{length} {key}={value}\n");
    }

    private static byte[] Ustar(byte[] name, int mode, long size, byte typeFlag, byte[] link)
    {
        var header = new byte[Block];
        name.AsSpan(0, Math.Min(name.Length, 100)).CopyTo(header);
        Octal(header.AsSpan(100, 8), mode);
        Octal(header.AsSpan(108, 8), 0); // uid
        Octal(header.AsSpan(116, 8), 0); // gid
        Octal(header.AsSpan(124, 12), size);
        Octal(header.AsSpan(136, 12), 0); // mtime
        header[156] = typeFlag;
        link.AsSpan(0, Math.Min(link.Length, 100)).CopyTo(header.AsSpan(157));
        Magic.CopyTo(header, 257);
        header[263] = (byte)'0';
        header[264] = (byte)'0';
        Octal(header.AsSpan(329, 8), 0); // devmajor
        Octal(header.AsSpan(337, 8), 0); // devminor
        header.AsSpan(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header)
        {
            sum += b;
        }

        Octal(header.AsSpan(148, 7), sum); // six digits, NUL, and the space left from the fill
        return header;
    }

    /// <summary>Zero-padded octal digits filling the field but its last byte, which stays NUL.</summary>
    private static void Octal(Span<byte> field, long value)
    {
        for (var i = field.Length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }

        field[^1] = 0;
    }
}
