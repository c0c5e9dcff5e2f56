using System.Text.Json;
using Functions.ControlPlane.Common;
using Functions.ControlPlane.Security;
using Functions.Contracts.Api;
using Functions.Data;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Logs;

/// <summary><c>GET /api/v1/apps/{name}/logs</c>: an app's recent function logs, as JSON or as Server-Sent Events.</summary>
public static class LogsApi
{
    public const string Tag = "Logs";

    public const string TagDescription =
        "What functions wrote to stderr and what happened to their invocations (traps, timeouts, output over the limit, " +
        "non-zero exits, 5xx answers, refusals), as workers publish them: the recent window of each app, by request id, " +
        "route and time, or followed live as Server-Sent Events.";

    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/apps/{name}/logs", GetAsync)
            .WithTags(Tag)
            .RequireAuthorization(ApiKeyRoles.AdminPolicy)
            .WithName("GetAppLogs")
            .WithSummary("An application's recent function logs, as JSON or followed as Server-Sent Events")
            .WithDescription(
                "Each record is one line a function wrote to stderr (stream 'stderr') or one platform event of an " +
                "invocation (stream 'event'), with the worker, route and request id (the X-Request-Id the worker " +
                "answered with). The control plane keeps the newest Functions:Logs:RecordsPerApp records per app in " +
                "memory (a restart empties it; workers drop records over their per-route rate rather than slow an " +
                "invocation). Filters: requestId, route (as bound, e.g. /hello or /api/...), since (an ISO 8601 time, " +
                "or a duration back from now such as 30s, 5m, 2h), limit (the newest N). The answer is " +
                "{\"items\": [...]}, oldest first. With 'Accept: text/event-stream' the matching records come first, " +
                "then each new one as it arrives, until the client leaves: 'event: log', 'id: <resume id>', " +
                "'data: <record JSON>', and a ': heartbeat' comment every 15 s; send the last id back as Last-Event-ID " +
                "to resume without gaps or repeats.")
            .Produces<LogRecordList>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <param name="name">The application's name.</param>
    /// <param name="requestId">Only the records of this invocation (its X-Request-Id).</param>
    /// <param name="route">Only the records of this route, as bound (e.g. /hello or /api/...).</param>
    /// <param name="since">Only records from this time on: ISO 8601 (e.g. 2026-12-03T10:15:00Z) or a duration back from now (30s, 5m, 2h, 1d).</param>
    /// <param name="limit">At most this many records, the newest (1-100000); a stream applies it to the records it starts with.</param>
    /// <param name="http">The request.</param>
    /// <param name="db">The database.</param>
    /// <param name="window">The logs window.</param>
    /// <param name="time">The clock.</param>
    internal static async Task<IResult> GetAsync(
        string name,
        [FromQuery] string? requestId,
        [FromQuery] string? route,
        [FromQuery] string? since,
        [FromQuery] string? limit,
        HttpContext http,
        FunctionsDbContext db,
        LogWindow window,
        TimeProvider time)
    {
        var (filter, errors) = LogQueryParameters.Parse(requestId, route, since, limit, time.GetUtcNow());
        if (errors is not null)
        {
            return Problems.Validation(errors);
        }

        if (!await db.Applications.AsNoTracking().AnyAsync(a => a.Name == name, http.RequestAborted))
        {
            return Problems.AppNotFound(name);
        }

        if (!WantsEvents(http.Request))
        {
            return TypedResults.Ok(new LogRecordList([.. window.Query(name, filter!).Select(e => e.Record)]));
        }

        var options = http.RequestServices.GetRequiredService<IOptions<LogWindowOptions>>().Value;
        var json = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        return new LogEventStream(window, name, filter!, ResumeAfter(http.Request, window), options.HeartbeatInterval, json);
    }

    private static bool WantsEvents(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>The sequence after which a resumed stream starts: only an id this process gave (<c>EPOCH-SEQUENCE</c>).</summary>
    private static long ResumeAfter(HttpRequest request, LogWindow window)
    {
        var id = request.Headers["Last-Event-ID"].ToString();
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && id.AsSpan(0, dash).SequenceEqual(window.Epoch) && long.TryParse(id.AsSpan(dash + 1), out var sequence) && sequence > 0
            ? sequence
            : 0;
    }

    /// <summary>The Server-Sent Events answer: the matching backlog, then each new matching record, until the client leaves.</summary>
    private sealed class LogEventStream(
        LogWindow window, string app, LogFilter filter, long after, TimeSpan heartbeat, JsonSerializerOptions json) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var response = http.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var cancel = http.RequestAborted;
            // Resuming by id: every later record, whatever its time (worker clocks differ); the limit was for the first stream.
            var first = after > 0 ? filter with { Since = null, Limit = null } : filter;
            using var follower = window.Follow(app, first, after);
            var live = filter with { Limit = null, Since = after > 0 ? null : filter.Since };
            try
            {
                await response.WriteAsync($": logs of {app}\n\n", cancel);
                var last = 0L;
                foreach (var entry in follower.Backlog)
                {
                    await WriteAsync(response, entry, cancel);
                    last = entry.Sequence;
                }

                await response.Body.FlushAsync(cancel);
                while (!cancel.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                    wait.CancelAfter(heartbeat);
                    try
                    {
                        if (!await follower.Next.WaitToReadAsync(wait.Token))
                        {
                            return;
                        }
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        await response.WriteAsync(": heartbeat\n\n", cancel);
                        await response.Body.FlushAsync(cancel);
                        continue;
                    }

                    while (follower.Next.TryRead(out var entry))
                    {
                        if (entry.Sequence > last && live.Matches(entry.Record))
                        {
                            await WriteAsync(response, entry, cancel);
                            last = entry.Sequence;
                        }
                    }

                    await response.Body.FlushAsync(cancel);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && cancel.IsCancellationRequested)
            {
                // The client left.
            }
        }

        private Task WriteAsync(HttpResponse response, LogEntry entry, CancellationToken cancel) =>
            response.WriteAsync(
                $"id: {window.Epoch}-{entry.Sequence}\nevent: log\ndata: {JsonSerializer.Serialize(entry.Record, json)}\n\n", cancel);
    }
}
