using Functions.ControlPlane.Data;
using Functions.ControlPlane.Security;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Hosting;

/// <summary>
/// Runs before the server accepts requests: applies migrations when configured to, then makes sure an admin key
/// exists. A database that cannot be reached fails the start with its error, so a bad connection string is loud.
/// </summary>
internal sealed class StartupTasks(IServiceScopeFactory scopes, ApiKeys keys, IOptions<ControlPlaneOptions> options)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStartup)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        }

        try
        {
            await keys.EnsureAdminKeyAsync(cancellationToken);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            throw new InvalidOperationException(
                "The database has no schema yet: run `dotnet Functions.ControlPlane.dll migrate` or set " +
                "Functions:MigrateOnStartup=true.", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
