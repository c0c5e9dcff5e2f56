namespace Functions.ControlPlane.Messaging;

/// <summary>
/// The parts of <c>amqp://user:password@host:port/vhost</c>. Parsed here rather than handed to MassTransit as a
/// URI so that escaped credentials and the default vhost (<c>/</c>, written as an empty path or <c>%2F</c>) mean
/// what RabbitMQ's URI spec says.
/// </summary>
internal sealed record RabbitMqAddress(string Host, int Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqAddress Parse(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps"))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:RabbitMq must be an amqp:// URI such as amqp://user:password@host:5672/vhost; got '{uri}'.");
        }

        var userInfo = parsed.UserInfo.Split(':', 2);
        var username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";
        var path = parsed.AbsolutePath.TrimStart('/');
        var virtualHost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        var port = parsed.IsDefaultPort || parsed.Port < 0 ? (parsed.Scheme == "amqps" ? 5671 : 5672) : parsed.Port;
        return new RabbitMqAddress(parsed.Host, port, virtualHost, username, password);
    }
}
