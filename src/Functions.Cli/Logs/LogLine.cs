using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Functions.Cli.Api;
using Functions.Contracts.Api;

namespace Functions.Cli.Logs;

/// <summary>How <c>functions logs</c> prints a record, and reads <c>--since</c>.</summary>
internal static partial class LogLine
{
    private static readonly JsonSerializerOptions OneLine = new(ApiJson.Default.Options) { WriteIndented = false };

    /// <summary><c>2026-12-03 10:15:00.123Z /hello 0193…  text</c>; events marked <c>[event]</c>.</summary>
    public static string Text(LogRecordView record) =>
        $"{record.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}Z {record.Route} {record.RequestId} " +
        $"{(record.Stream == "stderr" ? "" : $"[{record.Stream}] ")}{record.Text}";

    /// <summary>One JSON object on one line (a stream of them is JSON Lines).</summary>
    public static string Json(LogRecordView record) => JsonSerializer.Serialize(record, OneLine.GetTypeInfo(typeof(LogRecordView)));

    /// <summary>An ISO 8601 time, or a duration back from <paramref name="now"/>: <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c>.</summary>
    public static DateTimeOffset? ParseSince(string text, DateTimeOffset now)
    {
        text = text.Trim();
        var duration = Duration().Match(text);
        if (duration.Success)
        {
            var total = TimeSpan.Zero;
            for (var i = 0; i < duration.Groups["n"].Captures.Count; i++)
            {
                if (!int.TryParse(duration.Groups["n"].Captures[i].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return null;
                }

                total += duration.Groups["unit"].Captures[i].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(n),
                    "s" => TimeSpan.FromSeconds(n),
                    "m" => TimeSpan.FromMinutes(n),
                    "h" => TimeSpan.FromHours(n),
                    _ => TimeSpan.FromDays(n),
                };
            }

            return now - total;
        }

        return text.Length > 0 && char.IsAsciiDigit(text[0]) && text.Contains('-', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
    }

    [GeneratedRegex("^(?:(?<n>[0-9]{1,9})(?<unit>ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
