using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Functions.Cli.Logs;
using Functions.Contracts.Api;

namespace Functions.Cli.Api;

/// <summary><c>GET api/v1/apps/{name}/logs</c>: the recent window as one JSON document, or as a stream of events.</summary>
internal sealed partial class ApiClient
{
    /// <summary>The records of the app's recent window that match <paramref name="query"/>, oldest first.</summary>
    public async Task<LogRecordList> GetLogsAsync(string app, LogQuery query, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, LogsPath(app, query));
        return (await SendAsync(request, Json.LogRecordList, cancel))!;
    }

    /// <summary>
    /// Opens the app's log stream (<c>text/event-stream</c>) and returns once its headers arrived; the caller reads
    /// and disposes the response. <paramref name="lastEventId"/> resumes after an event of an earlier stream.
    /// </summary>
    public async Task<HttpResponseMessage> OpenLogStreamAsync(string app, LogQuery query, string? lastEventId, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, LogsPath(app, query));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        HttpResponseMessage response;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            deadline.CancelAfter(RequestTimeout);
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            }
            catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
            {
                throw new ControlPlaneUnreachableException(BaseUrl, $"no answer within {RequestTimeout.TotalSeconds:0} s", e);
            }
            catch (HttpRequestException e)
            {
                throw new ControlPlaneUnreachableException(BaseUrl, Describe(e), e);
            }
        }

        try
        {
            await EnsureSuccessAsync(response, request, cancel);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string LogsPath(string app, LogQuery query)
    {
        var path = new StringBuilder($"{AppPath(app)}/logs");
        var separator = '?';
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                path.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        Add("requestId", query.RequestId);
        Add("route", query.Route);
        Add("since", query.Since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Add("limit", query.Limit?.ToString(CultureInfo.InvariantCulture));
        return path.ToString();
    }
}
