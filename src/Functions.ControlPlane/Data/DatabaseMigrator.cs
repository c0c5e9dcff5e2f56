using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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
            // Npgsql's history repository assumes the history table exists and catches "relation does not exist",
            // but EF logs that failed SELECT at error level first (npgsql/efcore.pg#3407): on an empty database the
            // first start showed two "Failed executing DbCommand" errors. Creating the table first (the same script
            // EF runs, idempotent) keeps a first start clean.
            var createHistory = db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript();
            await db.Database.ExecuteSqlRawAsync(createHistory, cancellationToken);

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
