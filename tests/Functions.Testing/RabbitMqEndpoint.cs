namespace Functions.Testing;

/// <summary>A RabbitMQ broker address down to the virtual host, with the login that has full rights on it.</summary>
public sealed record RabbitMqEndpoint(string Host, int Port, string VirtualHost, string Username, string Password)
{
    /// <summary><c>amqp://user:password@host:port/vhost</c>, every part escaped (the default vhost <c>/</c> is <c>%2F</c>).</summary>
    public Uri AmqpUri => new(
        $"amqp://{Uri.EscapeDataString(Username)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");

    /// <summary>The value hosts read from <c>ConnectionStrings__RabbitMq</c> (parsed by <c>Functions.Messaging.RabbitMqConnection</c>).</summary>
    public string ConnectionString => AmqpUri.AbsoluteUri;

    /// <summary>Parses an <c>amqp://user:password@host:port/vhost</c> URI; an empty path means the default vhost <c>/</c>.</summary>
    public static RabbitMqEndpoint Parse(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "rabbitmq"))
        {
            throw new FormatException($"'{uri}' is not an AMQP URI such as amqp://user:password@127.0.0.1:5672/.");
        }

        var userInfo = parsed.UserInfo.Split(':', 2);
        var vhost = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
        return new RabbitMqEndpoint(
            parsed.Host,
            parsed.IsDefaultPort ? 5672 : parsed.Port,
            vhost.Length == 0 ? "/" : vhost,
            userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest",
            userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest");
    }

    /// <summary>Host, port and vhost without the password, for messages.</summary>
    public override string ToString() => $"amqp://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
