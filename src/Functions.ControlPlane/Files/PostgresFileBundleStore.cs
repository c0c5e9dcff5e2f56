using System.Buffers;
using System.Data;
using Functions.ControlPlane.Data;
using Functions.ControlPlane.Hosting;
using Functions.Files;
using Npgsql;
using NpgsqlTypes;

namespace Functions.ControlPlane.Files;

/// <summary>
/// Bundles in Postgres: the canonical tar as rows of <see cref="ChunkBytes"/> in <c>file_bundle_chunks</c>, written
/// with binary COPY from the temp file and read back one row at a time, so neither side holds more than a chunk.
/// </summary>
internal sealed class PostgresFileBundleStore(IConfiguration configuration, TimeProvider time) : IFileBundleStore
{
    /// <summary>One row of the tar: small enough to hold, large enough that a 256 MiB bundle is 256 rows.</summary>
    public const int ChunkBytes = 1 << 20;

    private string ConnectionString => ConnectionStrings.RequirePostgres(configuration);

    public async Task<bool> AddAsync(BundleSummary summary, Stream canonicalTar, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancel);
        await using var transaction = await connection.BeginTransactionAsync(cancel);
        try
        {
            // A concurrent upload of the same digest waits here on the first one's row, then finds it (0 rows).
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO file_bundles (digest, unpacked_size, file_count, entry_count, canonical_size, created_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (digest) DO NOTHING", connection, transaction))
            {
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = summary.Digest });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = summary.UnpackedBytes });
                insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.FileCount });
                insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.Entries.Count });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = canonicalTar.Length - canonicalTar.Position });
                insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
                if (await insert.ExecuteNonQueryAsync(cancel) == 0)
                {
                    return false;
                }
            }

            await WriteChunksAsync(connection, summary.Digest, canonicalTar, cancel);
            await WriteEntriesAsync(connection, summary, cancel);
            await transaction.CommitAsync(cancel);
            return true;
        }
        catch (Exception e) when (PostgresErrors.IsUniqueViolation(e))
        {
            return false;
        }
    }

    private static async Task WriteChunksAsync(NpgsqlConnection connection, string digest, Stream tar, CancellationToken cancel)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY file_bundle_chunks (digest, index, data) FROM STDIN (FORMAT BINARY)", cancel);
            for (var index = 0; ; index++)
            {
                var filled = await tar.ReadAtLeastAsync(buffer.AsMemory(0, ChunkBytes), ChunkBytes, throwOnEndOfStream: false, cancel);
                if (filled == 0)
                {
                    break;
                }

                await copy.StartRowAsync(cancel);
                await copy.WriteAsync(digest, NpgsqlDbType.Varchar, cancel);
                await copy.WriteAsync(index, NpgsqlDbType.Integer, cancel);
                await copy.WriteAsync(new ReadOnlyMemory<byte>(buffer, 0, filled), NpgsqlDbType.Bytea, cancel);
            }

            await copy.CompleteAsync(cancel);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteEntriesAsync(NpgsqlConnection connection, BundleSummary summary, CancellationToken cancel)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY file_bundle_entries (digest, ordinal, path, kind, mode, size, link_target) FROM STDIN (FORMAT BINARY)",
            cancel);
        for (var i = 0; i < summary.Entries.Count; i++)
        {
            var entry = summary.Entries[i];
            await copy.StartRowAsync(cancel);
            await copy.WriteAsync(summary.Digest, NpgsqlDbType.Varchar, cancel);
            await copy.WriteAsync(i, NpgsqlDbType.Integer, cancel);
            await copy.WriteAsync(entry.Path, NpgsqlDbType.Text, cancel);
            await copy.WriteAsync(FileBundleViews.KindName(entry.Kind), NpgsqlDbType.Varchar, cancel);
            await copy.WriteAsync(entry.Mode, NpgsqlDbType.Integer, cancel);
            await copy.WriteAsync(entry.Size, NpgsqlDbType.Bigint, cancel);
            if (entry.LinkTarget is { } target)
            {
                await copy.WriteAsync(target, NpgsqlDbType.Text, cancel);
            }
            else
            {
                await copy.WriteNullAsync(cancel);
            }
        }

        await copy.CompleteAsync(cancel);
    }

    public async Task<FileBundleContent?> OpenReadAsync(string digest, CancellationToken cancel)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        NpgsqlTransaction? transaction = null;
        try
        {
            await connection.OpenAsync(cancel);
            // One snapshot: the size and the chunks agree even if the bundle is deleted meanwhile.
            transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancel);
            long length;
            await using (var size = new NpgsqlCommand(
                "SELECT canonical_size FROM file_bundles WHERE digest = $1", connection, transaction))
            {
                size.Parameters.Add(new NpgsqlParameter<string> { TypedValue = digest });
                if (await size.ExecuteScalarAsync(cancel) is not long found)
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                    return null;
                }

                length = found;
            }

            var chunks = new NpgsqlCommand(
                "SELECT data FROM file_bundle_chunks WHERE digest = $1 ORDER BY index", connection, transaction);
            chunks.Parameters.Add(new NpgsqlParameter<string> { TypedValue = digest });
            var reader = await chunks.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancel);
            return new FileBundleContent(length, new ChunkReadStream(connection, transaction, chunks, reader, length));
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<FileBundleDeletion> DeleteAsync(string digest, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancel);
        await using var delete = new NpgsqlCommand("DELETE FROM file_bundles WHERE digest = $1", connection);
        delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = digest });
        try
        {
            // Chunks and entries go with it (ON DELETE CASCADE); a release's mount keeps it (ON DELETE RESTRICT).
            return await delete.ExecuteNonQueryAsync(cancel) == 0 ? FileBundleDeletion.NotFound : FileBundleDeletion.Deleted;
        }
        catch (Exception e) when (PostgresErrors.IsForeignKeyViolation(e))
        {
            return FileBundleDeletion.InUse;
        }
    }

    /// <summary>The chunk rows read in order, one at a time, as one stream; it owns the connection it reads from.</summary>
    private sealed class ChunkReadStream(
        NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlCommand command, NpgsqlDataReader reader,
        long length) : Stream
    {
        private Stream? _chunk;
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                if (_chunk is null)
                {
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        return Ended();
                    }

                    _chunk = await reader.GetStreamAsync(0, cancellationToken);
                }

                var read = await _chunk.ReadAsync(buffer, cancellationToken);
                if (read > 0)
                {
                    return Counted(read);
                }

                await _chunk.DisposeAsync();
                _chunk = null;
            }

            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Counted(int read)
        {
            _read += read;
            if (_read > length)
            {
                throw new IOException($"The stored bundle has more than the {length} bytes its row records: it is damaged.");
            }

            return read;
        }

        private int Ended() => _read == length
            ? 0
            : throw new IOException($"The stored bundle ends after {_read} of its {length} bytes: chunks are missing.");

        private bool _disposed;

        public override async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                ReleaseAsync().AsTask().GetAwaiter().GetResult();
            }

            base.Dispose(disposing);
        }

        private async ValueTask ReleaseAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_chunk is not null)
            {
                await _chunk.DisposeAsync();
            }

            await reader.DisposeAsync();
            await command.DisposeAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
