using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Messaging;

/// <summary>The broker's management API, to take rights away from the control plane's login and give them back.</summary>
internal static class RabbitManagement
{
    public static bool IsAvailable => Uri() is not null;

    /// <summary>
    /// Sets the login's write permission on the virtual host and closes its connections there: RabbitMQ caches
    /// permission checks per channel, so only new connections see the change.
    /// </summary>
    /// <remarks>
    /// The management API lists a new connection only after its next statistics tick (seconds), so a caller that
    /// needs every connection closed says how many it expects (<paramref name="connections"/>).
    /// </remarks>
    public static async Task SetPermissionsAsync(RabbitMqEndpoint endpoint, string write, int connections = 0)
    {
        using var client = Client();
        var vhost = System.Uri.EscapeDataString(endpoint.VirtualHost);
        var path = $"api/permissions/{vhost}/{System.Uri.EscapeDataString(endpoint.Username)}";
        using (var response = await client.PutAsJsonAsync(path, new { configure = ".*", write, read = ".*" }))
        {
            response.EnsureSuccessStatusCode();
        }

        var old = new List<string>();
        for (var attempt = 0; attempt < 150; attempt++)
        {
            old = (await client.GetFromJsonAsync<List<Connection>>($"api/vhosts/{vhost}/connections") ?? []).Select(c => c.Name).ToList();
            if (old.Count >= connections)
            {
                break;
            }

            await Task.Delay(100);
        }

        foreach (var name in old)
        {
            using var closed = await client.DeleteAsync(new Uri($"api/connections/{System.Uri.EscapeDataString(name)}", UriKind.Relative));
        }

        // Closing is asynchronous: wait until the broker no longer lists the old connections.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var now = await client.GetFromJsonAsync<List<Connection>>($"api/vhosts/{vhost}/connections") ?? [];
            if (!now.Any(c => old.Contains(c.Name)))
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private static HttpClient Client()
    {
        var uri = Uri() ?? throw new InvalidOperationException($"{PlatformServices.RabbitMqManagementVariable} is not set.");
        var client = new HttpClient { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/") };
        var login = uri.UserInfo.Split(':', 2);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{System.Uri.UnescapeDataString(login[0])}:{System.Uri.UnescapeDataString(login[1])}")));
        return client;
    }

    private sealed record Connection(string Name);

    private static Uri? Uri() =>
        Environment.GetEnvironmentVariable(PlatformServices.RabbitMqManagementVariable) is { Length: > 0 } value
            ? new Uri(value)
            : null;
}
