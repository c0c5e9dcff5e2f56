using System.Net.ServerSentEvents;
using System.Text.Json;
using Functions.Cli.Api;
using Functions.Contracts;
using Functions.Contracts.Api;

namespace Functions.Cli.Logs;

/// <summary>
/// Follows an app's logs: the records of its recent window that match, then each new one as the control plane
/// receives it, until <c>cancel</c>. A stream that drops (the control plane restarts, a proxy cuts an idle
/// connection, the network goes) is opened again, resuming after the last record delivered; an error answer (no
/// such app, a bad filter) ends it with an <see cref="ApiException"/>.
/// </summary>
internal static class LogTail
{
    /// <summary>The control plane sends a heartbeat every 15 s: a stream silent for longer is taken as dropped.</summary>
    internal static TimeSpan Silence { get; set; } = TimeSpan.FromSeconds(45);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(10);

    /// <summary>Returns when <paramref name="cancel"/> is cancelled (without throwing), or throws an error answer.</summary>
    public static async Task FollowAsync(ApiClient api, string app, LogQuery query, Func<LogRecordView, Task> onRecord, CancellationToken cancel)
    {
        var resume = new Resume(query);
        var retry = FirstRetry;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                using var response = await api.OpenLogStreamAsync(app, resume.Query, resume.LastEventId, cancel);
                // A silent stream fails as a cut-off one (an IOException): a drop, opened again below.
                await using var body = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancel), Silence,
                    $"The log stream of {app} sent nothing for {Silence.TotalSeconds:0.#} s.");
                await foreach (var item in SseParser.Create(body).EnumerateAsync(cancel))
                {
                    retry = FirstRetry; // the stream works: a later drop starts its retries afresh
                    if (item.EventType != "log" || JsonSerializer.Deserialize(item.Data, ApiJson.Default.LogRecordView) is not { } record)
                    {
                        continue;
                    }

                    if (resume.Accept(record, item.EventId))
                    {
                        await onRecord(record);
                    }
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsDrop(e))
            {
                // Dropped or not reachable right now: open it again below.
            }

            resume.Reopen();
            try
            {
                await Task.Delay(retry, cancel);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    private static bool IsDrop(Exception e) => e switch
    {
        ControlPlaneUnreachableException or HttpRequestException or IOException or OperationCanceledException => true,
        ApiException api => api.StatusCode >= 500, // a proxy's 502 while the control plane restarts
        _ => false,
    };

    /// <summary>
    /// Where a reopened stream starts: after the last event id (the control plane replica that sent it knows it), else
    /// (another replica) from the last record's time, skipping the records of that instant already delivered.
    /// </summary>
    private sealed class Resume(LogQuery first)
    {
        private readonly HashSet<LogRecordView> _atLast = [];
        private DateTimeOffset? _last;
        private bool _reopened;

        public LogQuery Query { get; private set; } = first;

        public string? LastEventId { get; private set; }

        /// <summary>The next stream is a reopened one: its records of the last instant may have been delivered.</summary>
        public void Reopen() => _reopened = true;

        public bool Accept(LogRecordView record, string? eventId)
        {
            if (_reopened && record.Time == _last && _atLast.Contains(record))
            {
                return false;
            }

            if (_last is null || record.Time > _last)
            {
                _last = record.Time;
                _atLast.Clear();
            }

            if (record.Time == _last)
            {
                _atLast.Add(record);
            }

            LastEventId = eventId ?? LastEventId;
            // The backlog limit was for the first stream: a reopened one wants everything since.
            Query = Query with { Since = _last, Limit = null };
            return true;
        }
    }
}
