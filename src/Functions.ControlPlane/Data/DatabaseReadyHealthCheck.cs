using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Functions.ControlPlane.Data;

/// <summary>Ready when the database answers and every migration this build knows is applied.</summary>
internal sealed class DatabaseReadyHealthCheck(FunctionsDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("database reachable, migrations applied")
                : HealthCheckResult.Unhealthy(
                    $"{pending.Count} migration(s) not applied ({string.Join(", ", pending)}): run " +
                    "`dotnet Functions.ControlPlane.dll migrate` or set Functions:MigrateOnStartup=true");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"database unreachable: {e.Message}");
        }
    }
}
