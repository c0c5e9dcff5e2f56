using System.Data.Common;
using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Functions.ControlPlane.Data;

/// <summary>The global generation: read it, or bump it inside the caller's transaction.</summary>
internal static class Generation
{
    /// <summary>
    /// Adds one and returns the new value. The row lock this takes is held until the transaction ends, which
    /// orders every activation: take it after the application's row lock and before touching active routes.
    /// </summary>
    public static async Task<long> BumpAsync(FunctionsDbContext db, CancellationToken cancellationToken) =>
        (long)(await ScalarAsync(
            db, "UPDATE generation SET value = value + 1, changed_at = now() WHERE id = 1 RETURNING value",
            cancellationToken))!;

    public static async Task<long> CurrentAsync(FunctionsDbContext db, CancellationToken cancellationToken) =>
        (long)(await ScalarAsync(db, "SELECT value FROM generation WHERE id = 1", cancellationToken))!;

    private static async Task<object?> ScalarAsync(FunctionsDbContext db, string sql, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            return await command.ExecuteScalarAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
