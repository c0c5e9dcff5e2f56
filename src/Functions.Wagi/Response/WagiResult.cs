using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Functions.Wagi;

/// <summary>
/// The response for a finished run (WAGI.md, "Failure"), and the platform's own error responses: a short
/// body naming the request id and nothing else; details belong in the worker's log (<see cref="WagiResponse.Problems"/>).
/// </summary>
public static class WagiResult
{
    /// <summary>Content type of a plain-text error body.</summary>
    public const string TextContentType = "text/plain; charset=utf-8";

    /// <summary>Content type of an RFC 9457 problem details error body.</summary>
    public const string ProblemJsonContentType = "application/problem+json";

    /// <summary>
    /// Completed → the parsed output; ExitedWithError → 500, unless the output already held a complete header
    /// block with a <c>Status</c>: then that response; Trapped → 500; TimedOut → 504; OutputLimitExceeded → 502.
    /// An unusable output gets the platform's error body, as text or, when <paramref name="problemJson"/>,
    /// problem+json (see <see cref="AcceptsProblemJson"/>).
    /// </summary>
    public static WagiResponse From(
        ExecutionOutcome outcome, ReadOnlyMemory<byte> stdout, string requestId, bool problemJson = false)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        switch (outcome)
        {
            case ExecutionOutcome.Completed:
                return Complete(WagiResponseParser.Parse(stdout), requestId, problemJson);

            case ExecutionOutcome.ExitedWithError:
                var parsed = WagiResponseParser.Parse(stdout, out var hasStatus);
                if (hasStatus)
                {
                    return Complete(parsed with { Problems = [.. parsed.Problems, "the module exited with a non-zero code after writing a complete header block with a Status; that response was sent"] }, requestId, problemJson);
                }

                return Error(500, requestId, problemJson, "the module exited with a non-zero code before writing a complete header block with a Status");

            case ExecutionOutcome.Trapped:
                return Error(500, requestId, problemJson, "the module trapped");

            case ExecutionOutcome.TimedOut:
                return Error(504, requestId, problemJson, "the module ran past the route's timeout");

            case ExecutionOutcome.OutputLimitExceeded:
                return Error(502, requestId, problemJson, "the module wrote more than the output limit");

            default:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown execution outcome.");
        }
    }

    /// <summary>The platform's error response for <paramref name="status"/> (e.g. 404 no route, 413 body too large).</summary>
    public static WagiResponse Error(int status, string requestId, bool problemJson = false, params IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return new WagiResponse
        {
            Status = status,
            Reason = ReasonPhrase(status),
            Headers = [new("Content-Type", problemJson ? ProblemJsonContentType : TextContentType)],
            Body = ErrorBody(status, requestId, problemJson),
            Problems = problems,
            IsFromModule = false,
        };
    }

    /// <summary>
    /// The server's own refusal of a request (not a function's answer), whose body says what to fix:
    /// <paramref name="detail"/> replaces the status's standard detail, e.g. which budget or limit the request met.
    /// </summary>
    public static WagiResponse Refused(int status, string requestId, bool problemJson, string detail)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        ArgumentNullException.ThrowIfNull(detail);
        return Error(status, requestId, problemJson) with { Body = ErrorBody(status, requestId, problemJson, detail) };
    }

    /// <summary>
    /// A short error body: <c>"504 Gateway Timeout: the function did not answer in time.\nRequest id: …\n"</c>,
    /// or <c>{"type":"about:blank","title":…,"status":…,"detail":…,"requestId":…}</c>; <paramref name="detail"/>
    /// replaces the status's standard detail.
    /// </summary>
    public static byte[] ErrorBody(int status, string requestId, bool problemJson, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        var title = ReasonPhrase(status) ?? "Error";
        detail ??= Detail(status);
        if (!problemJson)
        {
            return Encoding.UTF8.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"{status} {title}: {detail}\nRequest id: {requestId}\n"));
        }

        var buffer = new MemoryStream(160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "about:blank");
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteString("requestId", requestId);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// True when an <c>Accept</c> header asks for <c>application/problem+json</c> or <c>application/json</c>
    /// (with a q above 0); browsers and curl get text.
    /// </summary>
    public static bool AcceptsProblemJson(string? accept)
    {
        if (string.IsNullOrEmpty(accept))
        {
            return false;
        }

        var text = accept.AsSpan();
        foreach (var range in text.Split(','))
        {
            var item = text[range];
            var semicolon = item.IndexOf(';');
            var mediaType = (semicolon < 0 ? item : item[..semicolon]).Trim();
            if ((mediaType.Equals(ProblemJsonContentType, StringComparison.OrdinalIgnoreCase)
                 || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                && !HasZeroQuality(semicolon < 0 ? default : item[semicolon..]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The standard reason phrase of a status, or null when it has none worth sending.</summary>
    public static string? ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => null,
    };

    private static WagiResponse Complete(WagiResponse parsed, string requestId, bool problemJson) =>
        parsed.IsFromModule ? parsed : Error(parsed.Status, requestId, problemJson, parsed.Problems);

    private static string Detail(int status) => status switch
    {
        404 => "no function is bound to this path.",
        413 => "the request body is larger than this route accepts.",
        429 or 503 => "the function is busy; try again later.",
        500 => "the function failed.",
        502 => "the function's response was not valid.",
        504 => "the function did not answer in time.",
        _ => "the request could not be served.",
    };

    private static bool HasZeroQuality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                && double.TryParse(parameter[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q))
            {
                return q <= 0;
            }
        }

        return false;
    }
}
