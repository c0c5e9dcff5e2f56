using MassTransit;

namespace Functions.Messaging;

/// <summary>
/// A RabbitMQ address given as one URI, <c>amqp://user:password@host:port/vhost</c>, the form hosts read from
/// <c>ConnectionStrings__RabbitMq</c>.
/// </summary>
public sealed record RabbitMqConnection(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqConnection Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)
            || !Uri.TryCreate(connectionString, UriKind.Absolute, out var uri)
            || (uri.Scheme != "amqp" && uri.Scheme != "rabbitmq"))
        {
            throw new FormatException(
                "ConnectionStrings:RabbitMq must be a URI such as amqp://user:password@127.0.0.1:5672/ (vhost after the last '/').");
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest";
        var password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest";
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqConnection(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), vhost.Length == 0 ? "/" : vhost, username, password);
    }

    /// <summary>Points a MassTransit RabbitMQ bus at this broker.</summary>
    public void Apply(IRabbitMqBusFactoryConfigurator bus) =>
        bus.Host(Host, Port, VirtualHost, h =>
        {
            h.Username(Username);
            h.Password(Password);
        });

    /// <inheritdoc />
    public override string ToString() => $"amqp://{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
