namespace Functions.ControlPlane.Hosting;

/// <summary>Reads the two connection strings, failing with the key to set when one is missing.</summary>
internal static class ConnectionStrings
{
    public const string Postgres = "Postgres";
    public const string RabbitMq = "RabbitMq";

    public static string Require(IConfiguration configuration, string name, string example) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"ConnectionStrings:{name} is not set. Set it in configuration or the environment variable " +
                $"ConnectionStrings__{name}, e.g. '{example}'.");

    public static string RequirePostgres(IConfiguration configuration) =>
        Require(configuration, Postgres, "Host=localhost;Port=5432;Database=functions;Username=functions;Password=…");

    public static string RequireRabbitMq(IConfiguration configuration) =>
        Require(configuration, RabbitMq, "amqp://user:password@localhost:5672/vhost");
}
