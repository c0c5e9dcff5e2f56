using System.Globalization;
using System.Text.RegularExpressions;

namespace Functions.ControlPlane.Logs;

/// <summary>The query string of <c>GET /api/v1/apps/{name}/logs</c>, parsed, or the errors that say what to fix.</summary>
internal static partial class LogQueryParameters
{
    public const int MaxLimit = 100_000;

    public static (LogFilter? Filter, Dictionary<string, string[]>? Errors) Parse(
        string? requestId, string? route, string? since, string? limit, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (requestId is { Length: > 200 })
        {
            errors["requestId"] = ["requestId is at most 200 characters: give the X-Request-Id a worker answered with."];
        }

        if (route is { Length: > 2000 })
        {
            errors["route"] = ["route is at most 2000 characters: give a route as bound, e.g. /hello or /api/..."];
        }

        DateTimeOffset? from = null;
        if (!string.IsNullOrWhiteSpace(since))
        {
            from = ParseSince(since.Trim(), now);
            if (from is null)
            {
                errors["since"] = [$"'{since}' is neither a time (ISO 8601, e.g. 2026-12-03T10:15:00Z) nor a duration back " +
                    "from now (a whole number and a unit, e.g. 30s, 5m, 2h, 1d, or 1h30m)."];
            }
        }

        int? count = null;
        if (!string.IsNullOrWhiteSpace(limit))
        {
            if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= MaxLimit)
            {
                count = parsed;
            }
            else
            {
                errors["limit"] = [$"'{limit}' is not a number of records from 1 to {MaxLimit}."];
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new LogFilter(NonEmpty(requestId), NonEmpty(route), from, count), null);
    }

    /// <summary>An ISO 8601 time (no zone: UTC), or a duration back from <paramref name="now"/> such as <c>5m</c> or <c>1h30m</c>.</summary>
    internal static DateTimeOffset? ParseSince(string text, DateTimeOffset now)
    {
        var duration = Duration().Match(text);
        if (duration.Success)
        {
            var total = TimeSpan.Zero;
            foreach (Capture part in duration.Groups["part"].Captures)
            {
                var unit = part.Value.TrimStart("0123456789".ToCharArray());
                if (!long.TryParse(part.Value.AsSpan(0, part.Value.Length - unit.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    || n > 100_000_000)
                {
                    return null;
                }

                total += unit switch
                {
                    "ms" => TimeSpan.FromMilliseconds(n),
                    "s" => TimeSpan.FromSeconds(n),
                    "m" => TimeSpan.FromMinutes(n),
                    "h" => TimeSpan.FromHours(n),
                    _ => TimeSpan.FromDays(n),
                };
            }

            return total > TimeSpan.FromDays(36_500) ? DateTimeOffset.MinValue : now - total;
        }

        return char.IsAsciiDigit(text[0]) && text.Contains('-', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [GeneratedRegex("^(?<part>[0-9]+(?:ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
