using System.Data.Common;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>
/// Where a connection string points and with which credentials, and which server image with which environment
/// variables must agree with it: the table the compose and Kubernetes checks share.
/// </summary>
internal sealed record ConnectionTarget(string Host, int Port, string? Username, string? Password, string? Database)
{
    /// <summary>How each connection string the hosts read is parsed, and what its server must look like.</summary>
    public static readonly IReadOnlyDictionary<string, ServerKind> Servers = new Dictionary<string, ServerKind>(StringComparer.Ordinal)
    {
        ["Postgres"] = new("postgres:15", 5432, "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", ParseNpgsql),
        ["RabbitMq"] = new("rabbitmq:3.13-management", 5672, "RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS", null, ParseAmqp),
    };

    private static ConnectionTarget ParseNpgsql(string value)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = value };
        string? Get(string key) => builder.TryGetValue(key, out var found) ? Convert.ToString(found, System.Globalization.CultureInfo.InvariantCulture) : null;
        return new ConnectionTarget(
            Get("Host") ?? throw new FormatException($"'{value}' names no Host."),
            Get("Port") is { } port ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : 5432,
            Get("Username"), Get("Password"), Get("Database"));
    }

    private static ConnectionTarget ParseAmqp(string value)
    {
        var uri = new Uri(value);
        var user = uri.UserInfo.Split(':', 2);
        return new ConnectionTarget(
            uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 5672 : uri.Port,
            Uri.UnescapeDataString(user[0]), user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null, null);
    }
}

/// <summary>A kind of server a connection string points at: its image, port and the variables that set its credentials.</summary>
internal sealed record ServerKind(
    string Image, int Port, string UserVariable, string PasswordVariable, string? DatabaseVariable, Func<string, ConnectionTarget> Parse)
{
    /// <summary>What differs between the connection string and the server's own settings; empty when they agree.</summary>
    public IEnumerable<string> Mismatches(ConnectionTarget target, IReadOnlyDictionary<string, string> serverEnvironment)
    {
        if (serverEnvironment.GetValueOrDefault(UserVariable) != target.Username)
        {
            yield return $"user '{target.Username}' but the server's {UserVariable} is '{serverEnvironment.GetValueOrDefault(UserVariable)}'";
        }

        if (serverEnvironment.GetValueOrDefault(PasswordVariable) != target.Password)
        {
            yield return $"a password other than the server's {PasswordVariable}";
        }

        if (DatabaseVariable is not null && serverEnvironment.GetValueOrDefault(DatabaseVariable) != target.Database)
        {
            yield return $"database '{target.Database}' but the server's {DatabaseVariable} is '{serverEnvironment.GetValueOrDefault(DatabaseVariable)}'";
        }
    }
}
