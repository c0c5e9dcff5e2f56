using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Functions.Contracts;
using Functions.Messaging.Tracing;
using Functions.Runtime;
using Functions.Wagi;
using Functions.Worker.Logs;
using Functions.Worker.Metrics;
using Functions.Worker.Tracing;
using Microsoft.AspNetCore.Http.Features;

namespace Functions.Worker.Serving;

/// <summary>
/// Answers every request that is not the worker's own: route table → admission (the route's concurrency, then the
/// worker's memory budget) → body → WAGI environment → pool → response. A request is admitted when its route matches,
/// before its body is read: a client that is refused costs no body buffer, and an admitted one holds its pool (a
/// redeploy cannot dispose the pool under it) until its response is ready.
/// </summary>
public sealed partial class InvocationHandler(
    AppliedState state, WorkerBudgets budgets, WorkerMetrics metrics, LogRecorder records, ILogger<InvocationHandler> logger)
{
    private const string RequestIdHeader = "X-Request-Id";
    private const string TraceParentHeader = "traceparent";

    public async Task HandleAsync(HttpContext context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var requestId = Guid.CreateVersion7().ToString("N");
        context.Response.Headers[RequestIdHeader] = requestId;
        var problemJson = WagiResult.AcceptsProblemJson(context.Request.Headers.Accept);

        var (rawPath, query) = SplitTarget(context);
        if (HttpSyntax.HasNul(rawPath))
        {
            // Kestrel refuses an encoded NUL in an HTTP/1.1 target itself (a bare 400); this holds for any other way in.
            await WriteAsync(context, WagiResult.Refused(StatusCodes.Status400BadRequest, requestId, problemJson,
                "the path contains %00 (a NUL byte), which no function may be given; remove it")).ConfigureAwait(false);
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            var match = state.Current.Routes.Match(rawPath);
            if (match is null)
            {
                metrics.NotFound.Inc();
                await WriteAsync(context, WagiResult.Error(StatusCodes.Status404NotFound, requestId, problemJson)).ConfigureAwait(false);
                return;
            }

            var route = match.Value;
            if (Activity.Current is { Recorded: true } server)
            {
                // The request span is named by the route it matched, not by the path (unbounded).
                server.DisplayName = $"{context.Request.Method} {route.Label}";
                server.SetTag("http.route", route.Label);
            }

            var admission = route.Pool.TryAdmit(out var lease);
            if (admission == Admission.Retired && attempt == 0)
            {
                continue; // matched in a state a deploy has just replaced: the route's new pool serves it
            }

            var response = admission switch
            {
                Admission.Admitted => await InvokeAsync(context, route, match, lease!, rawPath, query, requestId, problemJson).ConfigureAwait(false),
                Admission.Busy => Unavailable(context, route, requestId, problemJson,
                    $"the route is at its concurrency limit of {route.Binding.Limits.MaxConcurrency}"),
                _ => Unavailable(context, route, requestId, problemJson, "the route is being redeployed on this worker"),
            };
            await WriteAsync(context, response).ConfigureAwait(false);
            metrics.Requests.WithLabels(route.Label, response.Status.ToString(CultureInfo.InvariantCulture)).Inc();
            metrics.Latency.WithLabels(route.Label).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            return;
        }
    }

    private async Task<WagiResponse> InvokeAsync(HttpContext context, ServedRoute route, RouteMatch match, InvocationLease lease,
        string rawPath, string query, string requestId, bool problemJson)
    {
        using (lease) // given back here when the run does not happen; a run gives it back as it ends
        {
            var reserved = WorkerMemory.Reservation(route.Binding.Limits);
            if (!budgets.Memory.TryTake(reserved))
            {
                return Unavailable(context, route, requestId, problemJson,
                    budgets.Memory.SpentDetail($"an invocation of this route reserves {reserved} bytes (its memory limit and output cap)"));
            }

            RequestBody? body = null;
            try
            {
                var limit = route.Binding.Limits.MaxBodyBytes;
                var outcome = BodyOutcome.Read;
                if (context.Request.ContentLength > limit)
                {
                    outcome = BodyOutcome.TooLarge;
                }
                else if (HasBody(context))
                {
                    var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
                    if (sizeFeature is { IsReadOnly: false })
                    {
                        sizeFeature.MaxRequestBodySize = limit + 1;
                    }

                    body = new RequestBody(budgets);
                    outcome = await body.ReadAsync(context.Request.Body, context.Request.ContentLength, limit, context.RequestAborted)
                        .ConfigureAwait(false);
                }

                switch (outcome)
                {
                    case BodyOutcome.TooLarge:
                        var detail = $"the request body is over the route's limit of {limit} bytes";
                        records.Event(route, requestId, $"refused 413: {detail}");
                        return WagiResult.Refused(StatusCodes.Status413PayloadTooLarge, requestId, problemJson, detail);
                    case BodyOutcome.BodiesSpent:
                        return Unavailable(context, route, requestId, problemJson, budgets.Bodies.SpentDetail("the request body could not be received"));
                    case BodyOutcome.MemorySpent:
                        return Unavailable(context, route, requestId, problemJson, budgets.Memory.SpentDetail("the request body could not be received"));
                }

                return await RunAsync(context, route, match, lease, body, rawPath, query, requestId, problemJson).ConfigureAwait(false);
            }
            finally
            {
                body?.Dispose();
                budgets.Memory.Give(reserved);
            }
        }
    }

    private async Task<WagiResponse> RunAsync(HttpContext context, ServedRoute route, RouteMatch match, InvocationLease lease,
        RequestBody? body, string rawPath, string query, string requestId, bool problemJson)
    {
        using var span = WorkerActivities.Source.StartActivity($"invoke {route.Label}");
        var request = ToWagiRequest(context, rawPath, query, body?.Length ?? 0, requestId, TraceParentFor(context, span));
        var environment = WagiEnvironment.Build(request, match, route.Binding.Environment);
        var arguments = WagiArgv.Build(request, environment, route.Binding.Argv);
        var invoked = Stopwatch.GetTimestamp();
        var result = await route.Pool.InvokeAsync(lease,
            new Invocation(environment, arguments, body?.Sequence() ?? ReadOnlySequence<byte>.Empty) { RequestId = requestId },
            context.RequestAborted).ConfigureAwait(false);
        if (span is { IsAllDataRequested: true })
        {
            InvocationSpan.Describe(span, route, requestId, result, Stopwatch.GetElapsedTime(invoked));
        }

        LogStderr(route, requestId, result.StderrLines);
        records.Stderr(route, requestId, result.StderrLines);
        switch (result.Outcome)
        {
            case InvocationOutcome.Busy:
                return Unavailable(context, route, requestId, problemJson,
                    result.Detail ?? $"the route is at its concurrency limit of {route.Binding.Limits.MaxConcurrency}");
            case InvocationOutcome.EntrypointMissing:
                LogFailure(route.Label, route.Binding.ModuleDigest, requestId, result.Outcome, result.Detail);
                records.Event(route, requestId, $"answered 500: the entrypoint is missing: {result.Detail}");
                return WagiResult.Error(StatusCodes.Status500InternalServerError, requestId, problemJson);
        }

        var outcome = result.Outcome switch
        {
            InvocationOutcome.Completed => ExecutionOutcome.Completed,
            InvocationOutcome.ExitedWithError => ExecutionOutcome.ExitedWithError,
            InvocationOutcome.TimedOut => ExecutionOutcome.TimedOut,
            InvocationOutcome.OutputLimitExceeded => ExecutionOutcome.OutputLimitExceeded,
            _ => ExecutionOutcome.Trapped,
        };
        if (outcome != ExecutionOutcome.Completed)
        {
            LogFailure(route.Label, route.Binding.ModuleDigest, requestId, result.Outcome, result.Detail ?? $"exit code {result.ExitCode}");
        }

        var response = WagiResult.From(outcome, result.Stdout, requestId, problemJson);
        foreach (var problem in response.Problems)
        {
            LogOutputProblem(route.Label, route.Binding.ModuleDigest, requestId, problem);
        }

        RecordEvents(route, requestId, result, outcome, response);
        return response;
    }

    private WagiResponse Unavailable(HttpContext context, ServedRoute route, string requestId, bool problemJson, string detail)
    {
        records.Event(route, requestId, $"refused 503: {detail}");
        context.Response.Headers.RetryAfter = "1";
        return WagiResult.Refused(StatusCodes.Status503ServiceUnavailable, requestId, problemJson, detail);
    }

    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is { } declared
            ? declared > 0
            : context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false;

    private static (string RawPath, string Query) SplitTarget(HttpContext context)
    {
        // The raw target, not Request.Path: PATH_INFO and X_RAW_PATH_INFO are built from the undecoded path.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            return (context.Request.Path.HasValue ? context.Request.PathBase + context.Request.Path : "/",
                context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "");
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (target, "") : (target[..question], target[(question + 1)..]);
    }

    /// <summary>
    /// The <c>traceparent</c> the function is given (as <c>HTTP_TRACEPARENT</c>): the invocation span's when tracing
    /// records it (a child of the caller's <c>traceparent</c> when one came); else the caller's as sent; else the
    /// worker's own request activity's, so a function can always hand a trace context on.
    /// </summary>
    private static string? TraceParentFor(HttpContext context, Activity? span)
    {
        if (TraceExport.TraceParentOf(span) is { } own)
        {
            return own;
        }

        return context.Request.Headers.ContainsKey(TraceParentHeader)
            ? null
            : TraceExport.TraceParentOf(Activity.Current)
                ?? $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
    }

    private static WagiRequest ToWagiRequest(HttpContext context, string rawPath, string query, long contentLength, string requestId,
        string? traceParent)
    {
        var headers = new List<KeyValuePair<string, string>>(context.Request.Headers.Count + 1);
        if (traceParent is not null)
        {
            headers.Add(new(TraceParentHeader, traceParent));
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (traceParent is not null && string.Equals(name, TraceParentHeader, StringComparison.OrdinalIgnoreCase))
            {
                continue; // replaced by the invocation span's
            }

            foreach (var value in values)
            {
                headers.Add(new(name, value ?? ""));
            }
        }

        var connection = context.Connection;
        return new WagiRequest
        {
            Method = context.Request.Method,
            RawPath = rawPath,
            QueryString = query,
            Protocol = context.Request.Protocol,
            Scheme = context.Request.Scheme,
            Host = context.Request.Headers.Host.Count > 0 ? context.Request.Headers.Host.ToString() : null,
            LocalAddress = connection.LocalIpAddress?.ToString() ?? "127.0.0.1",
            LocalPort = connection.LocalPort,
            RemoteAddress = connection.RemoteIpAddress?.ToString() ?? "",
            Headers = headers,
            ContentLength = contentLength,
            ContentType = context.Request.ContentType,
            RequestId = requestId,
        };
    }

    private static async Task WriteAsync(HttpContext context, WagiResponse response)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = response.Status;
        if (response.Reason is { } reason)
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
        }

        var headers = context.Response.Headers;
        foreach (var (name, value) in response.Headers)
        {
            if (string.Equals(name, RequestIdHeader, StringComparison.OrdinalIgnoreCase))
            {
                continue; // the worker's id names the invocation in its log; a module cannot replace it
            }

            headers.Append(name, value);
        }

        headers.ContentLength = response.Body.Length;
        if (response.Body.Length > 0 && !HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The invocation's events for its app's log: how a run that did not complete ended, what was wrong with the output,
    /// and any 5xx answer (a module's own included). A run that completed with a good answer has none.
    /// </summary>
    private void RecordEvents(ServedRoute route, string requestId, InvocationResult result, ExecutionOutcome outcome, WagiResponse response)
    {
        var ended = outcome switch
        {
            ExecutionOutcome.Completed => null,
            ExecutionOutcome.ExitedWithError => $"exited with status {result.ExitCode}",
            ExecutionOutcome.TimedOut => $"timed out after {route.Binding.Limits.TimeoutMs} ms (the route's timeout) and was stopped",
            ExecutionOutcome.OutputLimitExceeded => $"stopped: its output went over the limit ({result.Detail})",
            _ => $"trapped: {result.Detail}",
        };
        // A run stopped by the platform has no output of its own to fault: its problem would restate the outcome.
        if (outcome is ExecutionOutcome.Completed or ExecutionOutcome.ExitedWithError)
        {
            foreach (var problem in response.Problems)
            {
                records.Event(route, requestId, $"output: {problem}");
            }
        }

        if (ended is not null)
        {
            records.Event(route, requestId, $"{ended}; answered {response.Status}");
        }
        else if (response.Status >= StatusCodes.Status500InternalServerError)
        {
            records.Event(route, requestId, $"answered {response.Status}");
        }
    }

    private void LogStderr(ServedRoute route, string requestId, IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            LogModuleStderr(route.Label, route.Binding.ModuleDigest, requestId, line);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "stderr {Route} {ModuleDigest} {RequestId}: {Line}")]
    private partial void LogModuleStderr(string route, string moduleDigest, string requestId, string line);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Invocation {RequestId} of {Route} ({ModuleDigest}) ended {Outcome}: {Detail}")]
    private partial void LogFailure(string route, string moduleDigest, string requestId, InvocationOutcome outcome, string? detail);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning,
        Message = "Output of {Route} ({ModuleDigest}) for {RequestId}: {Problem}")]
    private partial void LogOutputProblem(string route, string moduleDigest, string requestId, string problem);
}
