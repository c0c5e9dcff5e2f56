using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Functions.Testing;
using Npgsql;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>
/// The servers <c>deploy/local/services.sh</c> runs keep other local users out: the login the hosts and tests use is not
/// a Postgres superuser (a superuser runs shell commands through <c>COPY … TO PROGRAM</c>), no client gets in without
/// a password, and RabbitMQ has no <c>guest</c>. Runs against the servers in the test variables when
/// <c>services.sh env</c> set them (it marks them with <c>FUNCTIONS_TEST_LOCAL_SERVICES=1</c>).
/// </summary>
public sealed class LocalServicesTests
{
    private const string Marker = "FUNCTIONS_TEST_LOCAL_SERVICES";

    [SkippableFact]
    public async Task The_postgres_login_is_not_a_superuser_and_cannot_run_programs()
    {
        await using var connection = new NpgsqlConnection(Variable(PlatformServices.PostgresVariable));
        await connection.OpenAsync();

        await using (var role = new NpgsqlCommand("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user", connection))
        await using (var reader = await role.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.False(reader.GetBoolean(0), "the services' Postgres login is a superuser");
            Assert.True(reader.GetBoolean(1), "the services' Postgres login cannot create databases, which every test does");
        }

        await using var program = new NpgsqlCommand("COPY (SELECT 1) TO PROGRAM 'id'", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => program.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [SkippableFact]
    public async Task Postgres_asks_for_the_password_and_the_old_one_no_longer_works()
    {
        var builder = new NpgsqlConnectionStringBuilder(Variable(PlatformServices.PostgresVariable)) { Password = "functions", Pooling = false };
        Assert.NotEqual("functions", new NpgsqlConnectionStringBuilder(Variable(PlatformServices.PostgresVariable)).Password);

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [SkippableFact]
    public async Task Rabbitmq_has_no_guest_and_its_login_has_a_password_of_its_own()
    {
        var management = new Uri(Variable(PlatformServices.RabbitMqManagementVariable));
        var endpoint = RabbitMqEndpoint.Parse(Variable(PlatformServices.RabbitMqVariable));
        using var http = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)) };

        using var guest = await http.SendAsync(Authorized(HttpMethod.Get, "api/whoami", "guest", "guest"));
        using var users = await http.SendAsync(Authorized(HttpMethod.Get, "api/users", endpoint.Username, endpoint.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, guest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        var names = JsonNode.Parse(await users.Content.ReadAsStringAsync())!.AsArray().Select(user => (string?)user!["name"]).ToList();
        Assert.DoesNotContain("guest", names);
        Assert.NotEqual("functions", endpoint.Password);
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string user, string password) => new(method, path)
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
    };

    private static string Variable(string name)
    {
        Skip.If(Environment.GetEnvironmentVariable(Marker) != "1",
            $"Not the servers of deploy/local/services.sh ({Marker} is not 1): these checks are about that script. Run ./deploy/test.sh without Docker, or eval \"$(deploy/local/services.sh env)\" first.");
        var value = Environment.GetEnvironmentVariable(name);
        Skip.If(string.IsNullOrEmpty(value), $"{name} is not set.");
        return value!;
    }
}
