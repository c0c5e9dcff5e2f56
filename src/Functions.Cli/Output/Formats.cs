using System.Globalization;
using Functions.Contracts;

namespace Functions.Cli.Output;

/// <summary>How values look in human-readable output.</summary>
internal static class Formats
{
    private const int ShortDigestHex = 12;

    /// <summary><c>165 B</c>, <c>15.2 KiB</c>, <c>1.7 MiB</c>.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    /// <summary><c>sha256:2c26b46b68ff</c>: enough to tell modules apart in a table (<c>modules rm</c> accepts it).</summary>
    public static string ShortDigest(string digest)
    {
        const string prefix = ContentDigest.Prefix;
        return digest.StartsWith(prefix, StringComparison.Ordinal) && digest.Length > prefix.Length + ShortDigestHex
            ? digest[..(prefix.Length + ShortDigestHex)]
            : digest;
    }

    /// <summary>UTC, to the second: <c>2025-01-31 14:05:09Z</c>.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary><c>4s ago</c>, <c>3m ago</c>, <c>2h ago</c>, <c>5d ago</c>.</summary>
    public static string Ago(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        return age.TotalSeconds switch
        {
            < 0 => "just now",
            < 60 => $"{(int)age.TotalSeconds}s ago",
            < 3600 => $"{(int)age.TotalMinutes}m ago",
            < 86400 => $"{(int)age.TotalHours}h ago",
            _ => $"{(int)age.TotalDays}d ago",
        };
    }

    /// <summary><c>60s</c>, <c>1.5s</c>, <c>2m</c>.</summary>
    public static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => $"{(int)duration.TotalMilliseconds}ms",
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#}s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#}m"),
    };
}
