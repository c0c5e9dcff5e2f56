using System.Data;
using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Functions.ControlPlane.Modules;

/// <summary>
/// Streams a module's bytes from Postgres to the response without holding them in memory. The digest is the
/// ETag and the content never changes, so the answer is cacheable forever and a matching If-None-Match is a 304.
/// </summary>
internal static class ModuleContent
{
    public const string MediaType = "application/wasm";

    public static async Task<IResult> SendAsync(HttpContext context, FunctionsDbContext db, string digestText)
    {
        var digest = ModuleDigest.Normalize(digestText);
        if (digest is null)
        {
            return Common.Problems.BadRequest("Invalid digest", $"'{digestText}' is not a module digest: {ModuleDigest.FormatHint}.");
        }

        var cancel = context.RequestAborted;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancel);
        try
        {
            await using var command = new NpgsqlCommand("SELECT size, content FROM modules WHERE digest = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = digest });
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancel);
            if (!await reader.ReadAsync(cancel))
            {
                return Common.Problems.ModuleNotFound(digest);
            }

            var size = reader.GetInt64(0);
            var response = context.Response;
            if (Common.ImmutableContent.AlreadyCached(context, digest))
            {
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = MediaType;
            response.ContentLength = size;
            await using var content = await reader.GetStreamAsync(1, cancel);
            await content.CopyToAsync(response.Body, cancel);
            return TypedResults.Empty;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
