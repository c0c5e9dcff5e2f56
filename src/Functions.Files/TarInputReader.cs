using System.Globalization;
using System.Text;

namespace Functions.Files;

/// <summary>What a tar header says an entry is.</summary>
internal sealed record TarInputEntry(byte[] Name, char TypeFlag, int Mode, long Size, byte[] LinkName, long Offset);

/// <summary>
/// Reads tar entries from a stream, one block at a time (nothing but the current header in memory): ustar, GNU and
/// v7 headers, PAX extended headers (path, linkpath, size) and GNU long names. Checks every header's checksum.
/// Lenient mode accepts what tar tools write (PAX global headers are skipped, one zero block may end the archive,
/// whatever follows the end is drained); strict mode (the extractor) records each entry's header bytes and wants
/// zero padding and exactly two zero blocks at the end of the stream.
/// </summary>
internal sealed class TarInputReader(Stream stream, bool strict)
{
    /// <summary>Extended-header bytes (PAX, GNU long names) allowed before one entry: paths are at most 4 KiB.</summary>
    private const int MaxExtensionBytes = 64 * 1024;

    /// <summary>What is read after the end of the archive (record padding; a gzip trailer to check) at most.</summary>
    private const int MaxTrailingBytes = 1024 * 1024;

    private readonly byte[] block = new byte[CanonicalTar.Block];
    private long position;
    private long dataLeft;
    private long paddingLeft;

    /// <summary>Strict mode: the header blocks (PAX header and records included) of the entry last returned.</summary>
    public MemoryStream RawHeader { get; } = new();

    /// <summary>The next entry, or null at the end of the archive. Unread data of the previous entry is skipped.</summary>
    public async Task<TarInputEntry?> NextAsync(CancellationToken ct)
    {
        await ReadDataAsync(null, ct).ConfigureAwait(false);
        RawHeader.SetLength(0);
        byte[]? paxPath = null, paxLink = null, longName = null, longLink = null;
        long? paxSize = null;
        var extensionBytes = 0L;
        while (true)
        {
            var offset = position;
            if (!await ReadBlockAsync(ct).ConfigureAwait(false))
            {
                throw offset == 0
                    ? NotATar(position == 0 ? "The upload is empty" : FirstBlockProblem())
                    : Truncated(offset);
            }

            if (block.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                await EndAsync(offset, ct).ConfigureAwait(false);
                return null;
            }

            if (!ChecksumMatches())
            {
                throw offset == 0
                    ? NotATar(FirstBlockProblem())
                    : new BundleFormatException(
                        $"The tar header at byte {offset} has a wrong checksum: the archive is damaged. Create it again with tar.");
            }

            if (strict)
            {
                RawHeader.Write(block);
            }

            var typeFlag = (char)block[156];
            var size = Number(124, 12, offset);
            if (typeFlag is 'x' or 'g' or 'L' or 'K')
            {
                extensionBytes += CanonicalTar.Block + size;
                if (extensionBytes > MaxExtensionBytes)
                {
                    throw new BundleFormatException(
                        $"The extended tar headers at byte {offset} are larger than {MaxExtensionBytes} bytes: the archive is damaged " +
                        "or not a plain file archive. Create it again with tar.");
                }

                var content = new byte[size];
                await ReadExactlyAsync(content, ct).ConfigureAwait(false);
                await SkipPaddingAsync(size, ct).ConfigureAwait(false);
                if (strict)
                {
                    RawHeader.Write(content);
                    RawHeader.Write(new byte[CanonicalTar.Padded(size) - size]);
                }

                switch (typeFlag)
                {
                    case 'x':
                        ParsePax(content, offset, ref paxPath, ref paxLink, ref paxSize);
                        break;
                    case 'L':
                        longName = TrimNul(content);
                        break;
                    case 'K':
                        longLink = TrimNul(content);
                        break;
                }

                continue;
            }

            var ustar = block.AsSpan(257, 6).SequenceEqual("ustar\0"u8);
            var name = paxPath ?? longName ?? Field(0, 100);
            if (paxPath is null && longName is null && ustar && block[345] != 0)
            {
                name = [.. Field(345, 155), (byte)'/', .. name];
            }

            if (typeFlag == '\0' && name.Length > 0 && name[^1] == '/')
            {
                typeFlag = '5'; // v7 folders: a plain entry whose name ends in '/'
            }

            var entry = new TarInputEntry(name, typeFlag, (int)Number(100, 8, offset), paxSize ?? size,
                paxLink ?? longLink ?? Field(157, 100), offset);
            dataLeft = entry.Size;
            paddingLeft = CanonicalTar.Padded(entry.Size) - entry.Size;
            return entry;
        }
    }

    /// <summary>Copies the current entry's data to <paramref name="destination"/> (or skips it when null).</summary>
    public async Task ReadDataAsync(Stream? destination, CancellationToken ct)
    {
        var buffer = new byte[81920];
        while (dataLeft > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, dataLeft)), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw Truncated(position);
            }

            position += read;
            dataLeft -= read;
            if (destination is not null)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
        }

        if (paddingLeft > 0)
        {
            var padding = new byte[paddingLeft];
            await ReadExactlyAsync(padding, ct).ConfigureAwait(false);
            paddingLeft = 0;
            if (strict && padding.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
            {
                throw new BundleIntegrityException($"The padding before byte {position} is not zero: the bundle is not canonical.");
            }
        }
    }

    private async Task EndAsync(long offset, CancellationToken ct)
    {
        var second = await ReadBlockAsync(ct).ConfigureAwait(false);
        if (second && block.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
        {
            throw new BundleFormatException(
                $"The tar archive has an empty block at byte {offset} followed by more entries: it is damaged. Create it again with tar.");
        }

        if (strict)
        {
            if (!second || await stream.ReadAsync(new byte[1], ct).ConfigureAwait(false) != 0)
            {
                throw new BundleIntegrityException("The bundle does not end with exactly two zero blocks: it is not canonical.");
            }

            return;
        }

        // Drain record padding, so that a gzip stream is read to its end and its checksum verified.
        var buffer = new byte[81920];
        for (var drained = 0L; drained <= MaxTrailingBytes;)
        {
            var read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            drained += read;
        }
    }

    private async Task SkipPaddingAsync(long size, CancellationToken ct)
    {
        var padding = CanonicalTar.Padded(size) - size;
        if (padding > 0)
        {
            await ReadExactlyAsync(new byte[padding], ct).ConfigureAwait(false);
        }
    }

    private async Task<bool> ReadBlockAsync(CancellationToken ct)
    {
        var read = await stream.ReadAtLeastAsync(block, block.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        position += read;
        return read == block.Length;
    }

    private async Task ReadExactlyAsync(byte[] buffer, CancellationToken ct)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        position += read;
        if (read < buffer.Length)
        {
            throw Truncated(position);
        }
    }

    private bool ChecksumMatches()
    {
        long unsigned = 0, signed = 0;
        for (var i = 0; i < block.Length; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        return TryOctal(block.AsSpan(148, 8), out var stored) && (stored == unsigned || stored == signed);
    }

    private long Number(int start, int length, long offset)
    {
        var field = block.AsSpan(start, length);
        if ((field[0] & 0x80) != 0)
        {
            if (field[0] != 0x80)
            {
                throw Damaged(offset, "a negative or oversized number");
            }

            long value = 0;
            foreach (var b in field[1..])
            {
                if (value > long.MaxValue >> 8)
                {
                    throw Damaged(offset, "an oversized number");
                }

                value = (value << 8) | b;
            }

            return value;
        }

        return TryOctal(field, out var octal) ? octal : throw Damaged(offset, "a number that is not octal");
    }

    private static bool TryOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var i = 0;
        while (i < field.Length && field[i] == ' ')
        {
            i++;
        }

        var digits = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++)
        {
            if (value > long.MaxValue >> 3)
            {
                return false;
            }

            value = (value << 3) | (long)(field[i] - '0');
        }

        for (; i < field.Length; i++)
        {
            if (field[i] is not (0 or (byte)' '))
            {
                return false;
            }
        }

        return true;
    }

    private byte[] Field(int start, int length) => TrimNul(block.AsSpan(start, length).ToArray());

    private static byte[] TrimNul(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf((byte)0);
        return end < 0 ? bytes : bytes[..end];
    }

    private static void ParsePax(byte[] content, long offset, ref byte[]? path, ref byte[]? link, ref long? size)
    {
        var rest = content.AsSpan();
        while (rest.Length > 0 && rest[0] != 0)
        {
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 1 || length > rest.Length || rest[length - 1] != '\n')
            {
                throw Damaged(offset, "a malformed PAX extended header");
            }

            var record = rest[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw Damaged(offset, "a malformed PAX extended header");
            }

            var key = record[..equals];
            var value = record[(equals + 1)..];
            if (key.SequenceEqual("path"u8))
            {
                path = value.ToArray();
            }
            else if (key.SequenceEqual("linkpath"u8))
            {
                link = value.ToArray();
            }
            else if (key.SequenceEqual("size"u8))
            {
                size = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw Damaged(offset, "a PAX size that is not a number");
            }

            rest = rest[length..];
        }
    }

    private string FirstBlockProblem() => block.AsSpan(0, 4).SequenceEqual("PK\u0003\u0004"u8)
        ? "This is a zip archive, not a tar"
        : "The upload is not a tar archive (nor a gzip-compressed one)";

    private static BundleFormatException NotATar(string what) => new(
        $"{what}. Upload a tar archive or a gzip-compressed one, e.g. made with: tar -czf files.tar.gz -C folder .");

    private static BundleFormatException Truncated(long offset) => new(
        $"The archive ends in the middle of an entry (after {offset.ToString(CultureInfo.InvariantCulture)} bytes of tar): " +
        "it is truncated. Upload the whole archive.");

    private static BundleFormatException Damaged(long offset, string what) => new(
        $"The tar header at byte {offset.ToString(CultureInfo.InvariantCulture)} has {what}: the archive is damaged. Create it again with tar.");

    /// <summary>For messages: a name as text, invalid UTF-8 replaced.</summary>
    public static string Show(byte[] name) => Encoding.UTF8.GetString(name);
}
