using System.Net;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Tests.Support;
using Functions.Data;
using Functions.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Functions.ControlPlane.Tests.Hosting;

public sealed class MigrationTests(ControlPlaneApp app) : IClassFixture<ControlPlaneApp>
{
    [Fact]
    public async Task Migrating_an_empty_database_from_several_instances_at_once_applies_each_migration_once()
    {
        var services = await PlatformServices.GetAsync();
        var connectionString = await services.CreateDatabaseAsync("migrate");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MigrateAsync(connectionString)));
        await MigrateAsync(connectionString);

        await using var db = Context(connectionString);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0, await db.Generation.Select(g => g.Value).SingleAsync());
    }

    [Fact]
    public async Task The_migrate_command_applies_the_schema_and_exits_without_serving()
    {
        var services = await PlatformServices.GetAsync();
        var connectionString = await services.CreateDatabaseAsync("migrate-cmd");
        var (exitCode, output) = await RunMigrateCommandAsync(connectionString);

        Assert.True(exitCode == 0, $"exit {exitCode}: {output}");
        await using var db = Context(connectionString);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task The_first_migrate_of_an_empty_database_logs_no_error()
    {
        // Npgsql's history repository assumes __EFMigrationsHistory exists and catches the failure, but EF logs the
        // failed SELECT at error level first: the first thing a new user saw were two "Failed executing DbCommand".
        var services = await PlatformServices.GetAsync();
        var connectionString = await services.CreateDatabaseAsync("migrate-quiet");

        var (exitCode, output) = await RunMigrateCommandAsync(connectionString);

        Assert.True(exitCode == 0, $"exit {exitCode}: {output}");
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed executing", output, StringComparison.Ordinal);
        Assert.Contains("Applied", output, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int ExitCode, string Output)> RunMigrateCommandAsync(string connectionString)
    {
        var dll = typeof(Program).Assembly.Location;
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "migrate"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__Postgres"] = connectionString,
                ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
                ["Functions__AdminKey"] = ControlPlaneApp.AdminKey,
            },
        };

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        return (process.ExitCode, await output + errors);
    }

    [Fact]
    public async Task Readiness_is_healthy_once_the_database_is_migrated()
    {
        using var ready = await app.Client(null).GetAsync(new Uri("/readyz", UriKind.Relative));
        using var live = await app.Client(null).GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Readiness_reports_unhealthy_for_a_database_without_the_schema()
    {
        var services = await PlatformServices.GetAsync();
        await using var db = Context(await services.CreateDatabaseAsync("unmigrated"));

        var result = await new DatabaseReadyHealthCheck(db).CheckHealthAsync(new());

        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, result.Status);
        Assert.Contains("migrate", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_reports_unhealthy_when_the_database_does_not_answer()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(app.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var db = Context(unreachable);

        var result = await new DatabaseReadyHealthCheck(db).CheckHealthAsync(new());

        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, result.Status);
        Assert.Contains("unreachable", result.Description, StringComparison.Ordinal);
    }

    private static async Task MigrateAsync(string connectionString)
    {
        await using var db = Context(connectionString);
        await new DatabaseMigrator(db, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    private static FunctionsDbContext Context(string connectionString)
    {
        var options = new DbContextOptionsBuilder<FunctionsDbContext>();
        FunctionsDbContext.Configure(options, connectionString);
        return new FunctionsDbContext(options.Options);
    }
}
