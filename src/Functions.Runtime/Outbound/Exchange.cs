using System.Diagnostics;
using System.Net;
using Functions.Runtime.Execution;
using static Functions.Runtime.Outbound.HttpHostFunctions;

namespace Functions.Runtime.Outbound;

/// <summary>
/// One <c>req</c>: waits for a slot of the route's outbound concurrency, sends the request, follows redirects to
/// allowed origins only, reads the body up to the cap; all within one timeout, the call's own cut to what is left of
/// the run's deadline, and woken by the run's cancellation. Blocking: it runs on the thread that runs the module.
/// </summary>
internal sealed class Exchange(OutboundCalls calls, FunctionPlan plan, Invocation invocation, RunWatch watch, CancellationToken runCancel)
{
    private static readonly HashSet<string> CredentialHeaders = new(["authorization", "cookie", "proxy-authorization"], StringComparer.OrdinalIgnoreCase);

    public readonly record struct Answer(HttpError Error, StoredResponse? Response, nint? Stop);

    public Answer Run(Uri uri, HttpMethod method, List<KeyValuePair<string, string>> headers, byte[] body)
    {
        var settings = plan.Settings;
        var options = calls.Options;
        var start = Stopwatch.GetTimestamp();
        var ownEnd = start + OutboundCalls.Ticks(options.RequestTimeout);
        var end = Math.Min(ownEnd, watch.Deadline);
        var url = uri.ToString();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(runCancel);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(RunWatch.Milliseconds(Math.Max(1, end - start))));
        var slots = plan.OutboundSlots;
        try
        {
            if (!slots.Wait(Timeout.Infinite, timeout.Token))
            {
                return Fail(OutboundOutcome.TooManySessions, HttpError.TooManySessions, url, "no slot");
            }
        }
        catch (OperationCanceledException)
        {
            return Ended() ?? Fail(OutboundOutcome.TooManySessions, HttpError.TooManySessions, url,
                $"all {settings.Outbound.MaxConcurrency} outbound slots of the route stayed taken for the call's whole timeout");
        }

        try
        {
            return Send(uri, method, headers, body, options, timeout.Token);
        }
        catch (Exception error) when (error is OperationCanceledException || timeout.IsCancellationRequested)
        {
            return Ended() ?? Fail(OutboundOutcome.TimedOut, HttpError.RequestError, url,
                $"no complete answer within Worker:Outbound:RequestTimeout ({options.RequestTimeout.TotalMilliseconds:F0} ms)");
        }
        catch (HttpRequestException error) when (Find<PrivateAddressException>(error) is { } refused)
        {
            return Fail(OutboundOutcome.PrivateAddress, HttpError.DestinationNotAllowed, url, refused.Message);
        }
        catch (Exception error) when (error is HttpRequestException or IOException or ObjectDisposedException)
        {
            return Fail(OutboundOutcome.Failed, HttpError.RequestError, url, Innermost(error));
        }
        finally
        {
            slots.Release();
        }

        // The run's own end wins: past its deadline or cancelled, the module is stopped, as a sleep would be.
        Answer? Ended()
        {
            if (runCancel.IsCancellationRequested)
            {
                calls.Record(settings, invocation, OutboundOutcome.TimedOut, url, "the run was cancelled");
                return new Answer(HttpError.RequestError, null, StopRun(watch, cancelled: true));
            }

            if (Stopwatch.GetTimestamp() >= watch.Deadline)
            {
                calls.Record(settings, invocation, OutboundOutcome.TimedOut, url, "the run's deadline came first");
                return new Answer(HttpError.RequestError, null, StopRun(watch, cancelled: false));
            }

            return null;
        }
    }

    private Answer Send(Uri uri, HttpMethod method, List<KeyValuePair<string, string>> headers, byte[] body, OutboundHttpOptions options,
        CancellationToken cancel)
    {
        var client = calls.Client();
        var origin = OutboundNetwork.Origin(uri);
        for (var hop = 0; ; hop++)
        {
            using var request = Build(uri, method, headers, body, sameOrigin: OutboundNetwork.Origin(uri) == origin);
            using var response = client is HttpClient http
                ? http.Send(request, HttpCompletionOption.ResponseHeadersRead, cancel)
                : client.Send(request, cancel);
            using var abort = cancel.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
            if (OutboundCalls.IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                var next = new Uri(uri, location);
                if ((next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    || !OutboundNetwork.IsAllowed(next, plan.Settings.Outbound.AllowedHosts))
                {
                    return Fail(OutboundOutcome.RedirectForbidden, HttpError.DestinationNotAllowed, uri.ToString(),
                        $"it redirects ({(int)response.StatusCode}) to {next}, whose origin the route does not allow: not followed");
                }

                if (hop >= options.MaxRedirects)
                {
                    return Fail(OutboundOutcome.Failed, HttpError.RequestError, uri.ToString(),
                        $"more than Worker:Outbound:MaxRedirects ({options.MaxRedirects}) redirects");
                }

                // As browsers and HttpClient: 303 turns anything but HEAD into a GET, 301 and 302 turn a POST into one.
                if ((response.StatusCode == HttpStatusCode.SeeOther && method != HttpMethod.Head)
                    || (method == HttpMethod.Post && response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found))
                {
                    method = HttpMethod.Get;
                    body = [];
                    headers = [.. headers.Where(h => !h.Key.StartsWith("content-", StringComparison.OrdinalIgnoreCase))];
                }

                uri = next;
                continue;
            }

            if (response.Content.Headers.ContentLength > options.MaxResponseBytes)
            {
                return TooLarge(uri, response.Content.Headers.ContentLength.Value, options);
            }

            using var stream = response.Content.ReadAsStream(cancel);
            var bytes = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                if (bytes.Length + read > options.MaxResponseBytes)
                {
                    return TooLarge(uri, null, options);
                }

                bytes.Write(buffer, 0, read);
            }

            var received = new List<KeyValuePair<string, string>>();
            foreach (var header in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
            {
                var name = header.Key.ToLowerInvariant();
                foreach (var value in header.Value)
                {
                    received.Add(new(name, value));
                }
            }

            calls.Record(plan.Settings, invocation, OutboundOutcome.Completed, uri.ToString(), null);
            return new Answer(HttpError.Success, new StoredResponse((int)response.StatusCode, received, bytes.ToArray()), null);
        }
    }

    /// <summary>
    /// The request for one hop. <c>Host</c> is the URL's (a module may not aim an allowed address at another virtual
    /// host), <c>Content-Length</c> the body's; credentials do not follow a redirect to another origin.
    /// </summary>
    private static HttpRequestMessage Build(Uri uri, HttpMethod method, List<KeyValuePair<string, string>> headers, byte[] body, bool sameOrigin)
    {
        var request = new HttpRequestMessage(method, uri);
        HttpContent? content = body.Length > 0 ? new ByteArrayContent(body) : null;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase) || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
                || (!sameOrigin && CredentialHeaders.Contains(name)))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                content ??= new ByteArrayContent(body);
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Content = content;
        return request;
    }

    private Answer TooLarge(Uri uri, long? length, OutboundHttpOptions options) =>
        Fail(OutboundOutcome.TooLarge, HttpError.RequestError, uri.ToString(),
            $"the response body ({(length is { } l ? $"{l} bytes" : "more bytes")}) is larger than Worker:Outbound:MaxResponseBytes ({options.MaxResponseBytes})");

    private Answer Fail(OutboundOutcome outcome, HttpError error, string url, string why)
    {
        calls.Record(plan.Settings, invocation, outcome, url, why);
        return new Answer(error, null, null);
    }

    private static T? Find<T>(Exception error) where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Innermost(Exception error)
    {
        var e = error;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e == error ? error.Message : $"{error.Message} ({e.Message})";
    }
}
