using MassTransit;

namespace Functions.Messaging;

/// <summary>
/// A RabbitMQ address given as one URI, <c>amqp://user:password@host:port/vhost</c> (or <c>amqps://</c>), the form every
/// host reads from <c>ConnectionStrings__RabbitMq</c>. Parsed here rather than handed to MassTransit as a URI so that
/// escaped credentials and the default vhost (<c>/</c>, written as an empty path or <c>%2F</c>) mean what RabbitMQ's URI
/// spec says.
/// </summary>
public sealed record RabbitMqConnection(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    public static RabbitMqConnection Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)
            || !Uri.TryCreate(connectionString, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new FormatException(
                "ConnectionStrings:RabbitMq must be an amqp:// URI such as amqp://user:password@127.0.0.1:5672/vhost (the vhost after the last '/').");
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";
        var path = uri.AbsolutePath.TrimStart('/');
        var tls = uri.Scheme == "amqps";
        var port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 5671 : 5672) : uri.Port;
        return new RabbitMqConnection(uri.Host, (ushort)port, path.Length == 0 ? "/" : Uri.UnescapeDataString(path), username, password, tls);
    }

    /// <summary>Points a MassTransit RabbitMQ bus at this broker.</summary>
    public void Apply(IRabbitMqBusFactoryConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.Host(Host, Port, VirtualHost, h =>
        {
            h.Username(Username);
            h.Password(Password);
            if (UseTls)
            {
                h.UseSsl(_ => { });
            }
        });
    }

    /// <inheritdoc />
    public override string ToString() => $"{(UseTls ? "amqps" : "amqp")}://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
