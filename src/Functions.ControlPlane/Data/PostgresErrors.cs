using Npgsql;

namespace Functions.ControlPlane.Data;

/// <summary>Recognises the constraint violations that stand for expected races, wherever EF wrapped them.</summary>
internal static class PostgresErrors
{
    public static PostgresException? Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres)
            {
                return postgres;
            }
        }

        return null;
    }

    public static bool IsUniqueViolation(Exception exception) =>
        Find(exception)?.SqlState == PostgresErrorCodes.UniqueViolation;

    public static bool IsForeignKeyViolation(Exception exception) =>
        Find(exception)?.SqlState == PostgresErrorCodes.ForeignKeyViolation;

    /// <summary>Deadlocks and serialization failures: nothing was written, the same request may simply be retried.</summary>
    public static bool IsTransient(Exception exception) =>
        Find(exception)?.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
}
