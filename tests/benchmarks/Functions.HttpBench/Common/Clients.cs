using System.Net.Http.Headers;

namespace Functions.HttpBench.Common;

internal static class Clients
{
    /// <summary>
    /// An HTTP/1.1 client that opens as many connections as there are requests in flight (so "N at once" really is N
    /// at once) and keeps them, like wrk does.
    /// </summary>
    public static HttpClient Create(int connections, string? bearer = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AllowAutoRedirect = false,
        })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }
}
