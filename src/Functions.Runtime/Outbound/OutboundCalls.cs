using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Functions.Runtime.Outbound;

/// <summary>
/// What the runtime sends functions' outbound HTTP calls through: a client from the host's pool (the worker's
/// <c>IHttpClientFactory</c> client named <see cref="OutboundNetwork.ClientName"/>; the runtime stays free of ASP.NET and
/// of DI), the operator's limits, and an observer told of every call (the worker counts them by route and outcome).
/// Calls are made synchronously on the thread that runs the module: module code is a blocking native call anyway.
/// </summary>
public sealed partial class OutboundCalls
{
    private readonly Func<HttpMessageInvoker> _client;
    private readonly Action<OutboundCallRecord>? _observer;
    private ILogger _logger;

    /// <param name="client">A client of the host's pool, for one call (creating it must be cheap: the pool is shared).</param>
    /// <param name="options">The operator's limits.</param>
    /// <param name="observer">Told of every call (metrics); its exceptions are ignored.</param>
    /// <param name="logger">Where refusals are logged; null: the runtime's logger.</param>
    public OutboundCalls(Func<HttpMessageInvoker> client, OutboundHttpOptions options, Action<OutboundCallRecord>? observer = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid outbound HTTP options: " + string.Join(" ", problems), nameof(options));
        }

        _client = client;
        Options = options;
        _observer = observer;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public OutboundHttpOptions Options { get; }

    /// <summary>The Prometheus label of an outcome, e.g. <c>forbidden</c>, <c>redirect_forbidden</c>.</summary>
    public static string Label(OutboundOutcome outcome) => outcome switch
    {
        OutboundOutcome.Completed => "completed",
        OutboundOutcome.Forbidden => "forbidden",
        OutboundOutcome.RedirectForbidden => "redirect_forbidden",
        OutboundOutcome.PrivateAddress => "private_address",
        OutboundOutcome.TimedOut => "timed_out",
        OutboundOutcome.TooLarge => "too_large",
        OutboundOutcome.TooManySessions => "too_many_sessions",
        OutboundOutcome.Invalid => "invalid",
        OutboundOutcome.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    internal void UseLoggerIfNone(ILogger logger)
    {
        if (ReferenceEquals(_logger, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            _logger = logger;
        }
    }

    internal HttpMessageInvoker Client() => _client();

    internal void Record(FunctionSettings settings, Invocation invocation, OutboundOutcome outcome, string? url, string? why)
    {
        if (outcome != OutboundOutcome.Completed)
        {
            using (_logger.BeginScope(invocation.LogTag ?? invocation.RequestId ?? ""))
            {
                LogRefused(settings.Name, invocation.RequestId, Label(outcome), url ?? "(no URL)", why ?? "");
            }
        }

        try
        {
            _observer?.Invoke(new OutboundCallRecord(settings.Name, invocation.RequestId, outcome));
        }
        catch (Exception)
        {
            // An observer's failure (metrics) never changes what the module is answered.
        }
    }

    /// <summary>Stopwatch ticks for a TimeSpan, saturating.</summary>
    internal static long Ticks(TimeSpan span) =>
        span.TotalSeconds * Stopwatch.Frequency >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)(span.TotalSeconds * Stopwatch.Frequency);

    internal static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning,
        Message = "{Function}: request {RequestId}: outbound HTTP call to {Url} {Outcome}: {Why}")]
    private partial void LogRefused(string function, string? requestId, string outcome, string url, string why);
}
