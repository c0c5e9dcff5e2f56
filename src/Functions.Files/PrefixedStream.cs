namespace Functions.Files;

/// <summary>Reads <paramref name="prefix"/> (bytes already taken from <paramref name="rest"/> to sniff the format), then the rest.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (prefix.IsEmpty)
        {
            return rest.Read(buffer, offset, count);
        }

        var n = Math.Min(count, prefix.Length);
        prefix.Span[..n].CopyTo(buffer.AsSpan(offset));
        prefix = prefix[n..];
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (prefix.IsEmpty)
        {
            return rest.ReadAsync(buffer, cancellationToken);
        }

        var n = Math.Min(buffer.Length, prefix.Length);
        prefix.Span[..n].CopyTo(buffer.Span);
        prefix = prefix[n..];
        return ValueTask.FromResult(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
