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
    private readonly TestResourceOwner owner = TestResourceOwner.Current;
    private readonly ConcurrentBag<string> databases = [];
    private readonly ConcurrentBag<string> virtualHosts = [];

    private PlatformServices(string postgres, RabbitMqEndpoint rabbitMq, Uri? managementUri)
    {
        PostgresConnectionString = postgres;
        RabbitMq = rabbitMq;
        management = managementUri is null ? null : CreateManagementClient(managementUri);
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
            // The owner mark lets a later test process drop this database if this one dies before it can.
            await using var mark = new NpgsqlCommand($"COMMENT ON DATABASE \"{name}\" IS '{owner.Mark.Replace("'", "''", StringComparison.Ordinal)}'", connection);
            await mark.ExecuteNonQueryAsync();
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
        var vhost = new Uri($"api/vhosts/{Uri.EscapeDataString(name)}", UriKind.Relative);
        using (var created = await client.PutAsJsonAsync(vhost, new { description = owner.Mark }))
        {
            await EnsureManagementSuccessAsync(created, $"create virtual host {name}");
        }

        virtualHosts.Add(name);
        var endpoint = RabbitMq with { VirtualHost = name };
        await SetPermissionsAsync(endpoint);
        return endpoint;
    }

    /// <summary>
    /// Sets what <paramref name="endpoint"/>'s login may do on its virtual host (regular expressions over
    /// resource names, as RabbitMQ's permissions take them); e.g. <c>write: "^$"</c> takes publishing away.
    /// </summary>
    public async Task SetPermissionsAsync(RabbitMqEndpoint endpoint, string configure = ".*", string write = ".*", string read = ".*")
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var client = management ?? throw new InvalidOperationException(
            $"Setting RabbitMQ permissions needs the management API: set {RabbitMqManagementVariable}.");
        var path = $"api/permissions/{Uri.EscapeDataString(endpoint.VirtualHost)}/{Uri.EscapeDataString(endpoint.Username)}";
        using var response = await client.PutAsJsonAsync(new Uri(path, UriKind.Relative), new { configure, write, read });
        await EnsureManagementSuccessAsync(response, $"set {endpoint.Username}'s permissions on virtual host {endpoint.VirtualHost}");
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
        var services = new PlatformServices(postgres, rabbitMq, management);
        // These servers outlive the test process: clean up after earlier processes, and after this one at exit.
        try
        {
            await services.DropLeftoversAsync();
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException)
        {
            // Cleaning up is a courtesy; a real problem with a server shows in the test that uses it.
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => services.DropOwn();
        return services;
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
        return new PlatformServices(postgres.GetConnectionString(), endpoint, management);
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

    // Long-lived local servers would otherwise keep every test's database and vhost. As the process ends,
    // drop its own, bounded (the test runner may not wait long); whatever is left, a later process drops.
    private void DropOwn()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            DropAsync([.. databases], [.. virtualHosts], deadline.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException or OperationCanceledException or SocketException)
        {
            // Best effort: a leftover costs disk until the next test process, not correctness.
        }
    }

    // Databases and vhosts whose owner mark names a test process of this machine that is gone.
    private async Task DropLeftoversAsync()
    {
        var deadDatabases = new List<string>();
        await using (var connection = new NpgsqlConnection(PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var list = new NpgsqlCommand(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE 't\\_%'", connection);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (TestResourceOwner.IsLeftover(reader.IsDBNull(1) ? null : reader.GetString(1)))
                {
                    deadDatabases.Add(reader.GetString(0));
                }
            }
        }

        var deadVirtualHosts = new List<string>();
        if (management is not null)
        {
            var vhosts = await management.GetFromJsonAsync<VirtualHostInfo[]>(new Uri("api/vhosts", UriKind.Relative)) ?? [];
            deadVirtualHosts.AddRange(vhosts.Where(v => TestResourceOwner.IsLeftover(v.Description)).Select(v => v.Name));
        }

        await DropAsync(deadDatabases, deadVirtualHosts, CancellationToken.None);
    }

    private async Task DropAsync(List<string> databaseNames, List<string> virtualHostNames, CancellationToken cancellationToken)
    {
        if (databaseNames.Count > 0)
        {
            await using var connection = new NpgsqlConnection(PostgresConnectionString);
            await connection.OpenAsync(cancellationToken);
            foreach (var name in databaseNames)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (management is not null)
        {
            foreach (var name in virtualHostNames)
            {
                using var deleted = await management.DeleteAsync(
                    new Uri($"api/vhosts/{Uri.EscapeDataString(name)}", UriKind.Relative), cancellationToken);
            }
        }
    }

    private sealed record VirtualHostInfo(string Name, string? Description);
}
