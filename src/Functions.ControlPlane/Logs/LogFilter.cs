using Functions.Contracts.Api;

namespace Functions.ControlPlane.Logs;

/// <summary>What a log query keeps: null fields keep everything; <see cref="Limit"/> keeps the newest N of the window.</summary>
public sealed record LogFilter(string? RequestId, string? Route, DateTimeOffset? Since, int? Limit)
{
    public bool Matches(LogRecordView record) =>
        (RequestId is null || string.Equals(record.RequestId, RequestId, StringComparison.Ordinal))
        && (Route is null || string.Equals(record.Route, Route, StringComparison.Ordinal))
        && (Since is null || record.Time >= Since);
}

/// <summary>A record as the window holds it: numbered per app, so an event stream can resume after one.</summary>
public sealed record LogEntry(long Sequence, LogRecordView Record);
