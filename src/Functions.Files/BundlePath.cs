using System.Text;

namespace Functions.Files;

/// <summary>Entry paths: normalised to '/'-separated relative form, validated, compared by their UTF-8 bytes.</summary>
internal static class BundlePath
{
    public const int MaxPathBytes = 4096;
    public const int MaxComponentBytes = 255;
    private const string PackHint = "Pack the folder's contents with relative paths, e.g. tar -czf files.tar.gz -C folder .";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The entry path for <paramref name="raw"/> (tar name bytes): relative, without './' or '/' at either
    /// end, or "" for the root folder itself. Throws <see cref="BundleFormatException"/> saying what to fix.</summary>
    public static string Normalize(ReadOnlySpan<byte> raw)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            var shown = Encoding.UTF8.GetString(raw);
            throw new BundleFormatException($"The entry '{shown}' has a name that is not valid UTF-8. Rename it.", shown);
        }

        return Normalize(text);
    }

    public static string Normalize(string text)
    {
        if (text.Length == 0)
        {
            throw new BundleFormatException("An entry has an empty name. The archive is damaged or was not written by tar.", text);
        }

        if (text[0] == '/')
        {
            throw new BundleFormatException($"The entry '{text}' is an absolute path. {PackHint}.", text);
        }

        var parts = new List<string>();
        foreach (var part in text.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                throw new BundleFormatException(
                    $"The entry '{text}' has a '..' component, which could leave the bundle. {PackHint}.", text);
            }

            if (part.Contains('\0', StringComparison.Ordinal))
            {
                throw new BundleFormatException($"The entry '{text}' has a NUL character in its name. Rename it.", text);
            }

            if (Encoding.UTF8.GetByteCount(part) > MaxComponentBytes)
            {
                throw new BundleFormatException(
                    $"The entry '{text}' has a name component longer than {MaxComponentBytes} bytes. Shorten it.", text);
            }

            parts.Add(part);
        }

        var path = string.Join('/', parts);
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new BundleFormatException($"The entry '{text}' has a path longer than {MaxPathBytes} bytes. Shorten it.", text);
        }

        return path;
    }

    /// <summary>Decodes a symlink target (kept as written) or throws saying what to fix.</summary>
    public static string LinkTarget(string path, ReadOnlySpan<byte> raw)
    {
        try
        {
            var target = StrictUtf8.GetString(raw);
            if (target.Length == 0)
            {
                throw new BundleFormatException($"The symbolic link '{path}' has an empty target. Remove it or point it at a file in the bundle.", path);
            }

            if (raw.Length > MaxPathBytes)
            {
                throw new BundleFormatException($"The symbolic link '{path}' has a target longer than {MaxPathBytes} bytes. Shorten it.", path);
            }

            return target;
        }
        catch (DecoderFallbackException)
        {
            throw new BundleFormatException($"The symbolic link '{path}' has a target that is not valid UTF-8. Change it.", path);
        }
    }

    /// <summary>The folder holding <paramref name="path"/>: "" for top-level entries.</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>Orders paths by their UTF-8 bytes (which differs from UTF-16 ordinal order above U+FFFF).</summary>
    public static int Compare(byte[] left, byte[] right) => left.AsSpan().SequenceCompareTo(right);
}
