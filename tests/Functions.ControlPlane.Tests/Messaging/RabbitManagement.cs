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
    public static async Task SetPermissionsAsync(RabbitMqEndpoint endpoint, string write)
    {
        using var client = Client();
        var vhost = System.Uri.EscapeDataString(endpoint.VirtualHost);
        var path = $"api/permissions/{vhost}/{System.Uri.EscapeDataString(endpoint.Username)}";
        using (var response = await client.PutAsJsonAsync(path, new { configure = ".*", write, read = ".*" }))
        {
            response.EnsureSuccessStatusCode();
        }

        var connections = await client.GetFromJsonAsync<List<Connection>>($"api/vhosts/{vhost}/connections") ?? [];
        foreach (var connection in connections)
        {
            using var closed = await client.DeleteAsync(new Uri($"api/connections/{System.Uri.EscapeDataString(connection.Name)}", UriKind.Relative));
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
