using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Functions.Testing;

/// <summary>
/// The real Postgres and RabbitMQ integration tests run against, started once per test process and shared by
/// every test class. Servers named by <c>FUNCTIONS_TEST_POSTGRES</c> and <c>FUNCTIONS_TEST_RABBITMQ</c> (what
/// <c>./deploy/test.sh</c> sets) come first; otherwise Testcontainers starts containers. Tests isolate themselves
/// by taking a fresh database (<see cref="CreateDatabaseAsync"/>) and virtual host (<see cref="CreateVirtualHostAsync"/>).
/// </summary>
/// <example>
/// <code>
/// public async Task InitializeAsync()
/// {
///     var services = await PlatformServices.GetAsync();
///     connectionString = await services.CreateDatabaseAsync("releases");
/// }
/// </code>
/// </example>
public sealed class PlatformServices
{
    public const string PostgresVariable = "FUNCTIONS_TEST_POSTGRES";
    public const string RabbitMqVariable = "FUNCTIONS_TEST_RABBITMQ";
    public const string RabbitMqManagementVariable = "FUNCTIONS_TEST_RABBITMQ_MANAGEMENT";

    private const string ContainerLogin = "functions";
    private const int ContainerManagementPort = 15672;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private static readonly string NoServicesMessage =
        $"Integration tests need a real Postgres and RabbitMQ, and there is no Docker engine for Testcontainers. " +
        $"Either start Docker, or run ./deploy/test.sh which starts local servers and sets {PostgresVariable} and " +
        $"{RabbitMqVariable} (for a single `dotnet test`: ./deploy/local/services.sh start && " +
        $"eval \"$(./deploy/local/services.sh env)\").";

    // A failed start stays failed: every test then fails at once with the same message instead of retrying.
    private static readonly Lazy<Task<PlatformServices>> Shared = new(StartAsync);

    private readonly HttpClient? management;
    private readonly bool dropOnExit;
    private readonly ConcurrentBag<string> databases = [];
    private readonly ConcurrentBag<string> virtualHosts = [];

    private PlatformServices(string postgres, RabbitMqEndpoint rabbitMq, Uri? managementUri, bool dropOnExit)
    {
        PostgresConnectionString = postgres;
        RabbitMq = rabbitMq;
        management = managementUri is null ? null : CreateManagementClient(managementUri);
        this.dropOnExit = dropOnExit;
        if (dropOnExit)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropCreated();
        }
    }

    /// <summary>Server-level connection string (database <c>postgres</c>), with a login allowed to create databases.</summary>
    public string PostgresConnectionString { get; }

    /// <summary>The broker's default virtual host and a login with full rights on it.</summary>
    public RabbitMqEndpoint RabbitMq { get; }

    /// <summary>The shared services, started by the first caller in this process.</summary>
    public static Task<PlatformServices> GetAsync() => Shared.Value;

    /// <summary>Creates a new empty database named after <paramref name="prefix"/> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = UniqueName(prefix, maxLength: 63);
        await using (var connection = new NpgsqlConnection(PostgresConnectionString))
        {
            await connection.OpenAsync();
            // template0: never busy, so parallel test processes can create databases at the same time.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0", connection);
            await create.ExecuteNonQueryAsync();
        }

        databases.Add(name);
        return new NpgsqlConnectionStringBuilder(PostgresConnectionString)
        {
            Database = name,
            // Many small databases per process: don't let idle pooled connections pile up against max_connections.
            ConnectionIdleLifetime = 10,
            ConnectionPruningInterval = 5,
        }.ConnectionString;
    }

    /// <summary>Creates a new virtual host named after <paramref name="prefix"/>, with full rights for <see cref="RabbitMq"/>'s login.</summary>
    public async Task<RabbitMqEndpoint> CreateVirtualHostAsync(string prefix)
    {
        var client = management ?? throw new InvalidOperationException(
            $"Creating a RabbitMQ virtual host needs the management API: set {RabbitMqManagementVariable} " +
            $"(e.g. http://user:password@127.0.0.1:15672), as ./deploy/local/services.sh env does.");
        var name = UniqueName(prefix, maxLength: 100);
        var escaped = Uri.EscapeDataString(name);

        using (var created = await client.PutAsync(new Uri($"api/vhosts/{escaped}", UriKind.Relative), null))
        {
            await EnsureManagementSuccessAsync(created, $"create virtual host {name}");
        }

        virtualHosts.Add(name);
        var permissions = new { configure = ".*", write = ".*", read = ".*" };
        var user = Uri.EscapeDataString(RabbitMq.Username);
        using (var granted = await client.PutAsJsonAsync(new Uri($"api/permissions/{escaped}/{user}", UriKind.Relative), permissions))
        {
            await EnsureManagementSuccessAsync(granted, $"grant {RabbitMq.Username} rights on virtual host {name}");
        }

        return RabbitMq with { VirtualHost = name };
    }

    private static async Task<PlatformServices> StartAsync()
    {
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable);
        var rabbitMq = Environment.GetEnvironmentVariable(RabbitMqVariable);
        if (string.IsNullOrWhiteSpace(postgres) != string.IsNullOrWhiteSpace(rabbitMq))
        {
            throw new InvalidOperationException(
                $"Set both {PostgresVariable} and {RabbitMqVariable}, or neither (then Testcontainers starts both): " +
                "`eval \"$(./deploy/local/services.sh env)\"` sets them for the local servers.");
        }

        return string.IsNullOrWhiteSpace(postgres)
            ? await StartContainersAsync()
            : await UseRunningServersAsync(postgres, rabbitMq!, Environment.GetEnvironmentVariable(RabbitMqManagementVariable));
    }

    private static async Task<PlatformServices> UseRunningServersAsync(string postgres, string rabbitMqUri, string? managementUri)
    {
        var rabbitMq = RabbitMqEndpoint.Parse(rabbitMqUri);
        var postgresProbe = new NpgsqlConnectionStringBuilder(postgres) { Timeout = (int)ProbeTimeout.TotalSeconds };
        try
        {
            await using var connection = new NpgsqlConnection(postgresProbe.ConnectionString);
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"{PostgresVariable} names Postgres at {postgresProbe.Host}:{postgresProbe.Port}, which does not answer " +
                $"({e.Message}). Start it with ./deploy/local/services.sh start, or unset the variable to use Testcontainers.", e);
        }

        try
        {
            using var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            await tcp.ConnectAsync(rabbitMq.Host, rabbitMq.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"{RabbitMqVariable} names RabbitMQ at {rabbitMq}, which does not answer ({e.Message}). " +
                "Start it with ./deploy/local/services.sh start, or unset the variable to use Testcontainers.", e);
        }

        var management = string.IsNullOrWhiteSpace(managementUri) ? null : new Uri(managementUri);
        return new PlatformServices(postgres, rabbitMq, management, dropOnExit: true);
    }

    private static async Task<PlatformServices> StartContainersAsync()
    {
        PostgreSqlContainer postgres;
        RabbitMqContainer rabbitMq;
        try
        {
            // Without a Docker engine the builders throw DockerUnavailableException within about a second.
            postgres = new PostgreSqlBuilder("postgres:15")
                .WithCommand("-c", "max_connections=500")
                .Build();
            rabbitMq = new RabbitMqBuilder("rabbitmq:3.13-management")
                .WithUsername(ContainerLogin)
                .WithPassword(ContainerLogin)
                .WithPortBinding(ContainerManagementPort, assignRandomHostPort: true)
                .Build();
            await Task.WhenAll(postgres.StartAsync(), rabbitMq.StartAsync());
        }
        catch (DockerUnavailableException e)
        {
            throw new InvalidOperationException(NoServicesMessage, e);
        }

        // The containers go away with the process (Testcontainers' resource reaper); nothing to drop.
        var endpoint = RabbitMqEndpoint.Parse(rabbitMq.GetConnectionString());
        var management = new UriBuilder("http", rabbitMq.Hostname, rabbitMq.GetMappedPublicPort(ContainerManagementPort))
        {
            UserName = ContainerLogin,
            Password = ContainerLogin,
        }.Uri;
        return new PlatformServices(postgres.GetConnectionString(), endpoint, management, dropOnExit: false);
    }

    private static HttpClient CreateManagementClient(Uri uri)
    {
        var userInfo = uri.UserInfo.Split(':', 2);
        var credentials = $"{Uri.UnescapeDataString(userInfo[0])}:{(userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "")}";
        var client = new HttpClient
        {
            BaseAddress = new UriBuilder(uri) { UserName = "", Password = "", Path = "/" }.Uri,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    private static async Task EnsureManagementSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException(
                $"RabbitMQ management API could not {what}: {(int)response.StatusCode} {response.ReasonPhrase} {body}");
        }
    }

    // Lower-case letters, digits and '_' only: valid unquoted in Postgres and readable in the RabbitMQ UI.
    private static string UniqueName(string prefix, int maxLength)
    {
        var cleaned = new string(prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var head = cleaned[..Math.Min(cleaned.Length, maxLength - suffix.Length - 3)];
        return $"t_{head}_{suffix}";
    }

    // Long-lived local servers would otherwise keep every test's database and vhost: drop them as the test
    // process ends. Best effort and bounded: a leftover costs disk, not correctness.
    private void DropCreated()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            DropCreatedAsync(deadline.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException or OperationCanceledException or SocketException)
        {
            Console.Error.WriteLine($"PlatformServices: could not drop every test database/vhost: {e.Message}");
        }
    }

    private async Task DropCreatedAsync(CancellationToken cancellationToken)
    {
        if (!dropOnExit)
        {
            return;
        }

        if (!databases.IsEmpty)
        {
            await using var connection = new NpgsqlConnection(PostgresConnectionString);
            await connection.OpenAsync(cancellationToken);
            foreach (var name in databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (management is not null)
        {
            foreach (var name in virtualHosts)
            {
                using var deleted = await management.DeleteAsync(
                    new Uri($"api/vhosts/{Uri.EscapeDataString(name)}", UriKind.Relative), cancellationToken);
            }
        }
    }
}
