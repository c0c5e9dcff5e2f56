using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Functions.ControlPlane.Data;

/// <summary>
/// Applies pending migrations under a Postgres advisory lock, so two instances starting at once (or a start and
/// the <c>migrate</c> command) take turns; the second finds nothing left to do. Safe to run any number of times.
/// </summary>
internal sealed class DatabaseMigrator(FunctionsDbContext db, ILogger<DatabaseMigrator> logger)
{
    /// <summary>An arbitrary, fixed key: "functions" in ASCII, so it will not collide by accident.</summary>
    private const long AdvisoryLockKey = 0x66756e6374696f6e;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // The lock lives on its own connection so EF may open and close the context's connection freely.
        await using var lockConnection = new NpgsqlConnection(db.Database.GetConnectionString());
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLockKey})", lockConnection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
            {
                Log.MigrationsUpToDate(logger);
                return;
            }

            await db.Database.MigrateAsync(cancellationToken);
            Log.MigrationsApplied(logger, pending.Count, string.Join(", ", pending));
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
