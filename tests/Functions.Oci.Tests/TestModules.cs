using System.Security.Cryptography;

namespace Functions.Oci.Tests;

internal static class TestModules
{
    public static readonly OciRegistrySettings Loopback = new() { AllowInsecureLoopback = true };

    /// <summary>The Wasm header followed by random bytes: what a client moves is bytes; the platform checks modules later.</summary>
    public static byte[] Random(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        new byte[] { 0, (byte)'a', (byte)'s', (byte)'m', 1, 0, 0, 0 }.CopyTo(bytes, 0);
        return bytes;
    }

    public static string Repository(string name) => $"tests/{name}-{Guid.NewGuid().ToString("N")[..12]}";

    public static OciClient Client(OciRegistrySettings? settings = null) => new(new HttpClient(), settings ?? Loopback);

    public static async Task<(OciPulledModule Pulled, byte[] Bytes)> PullAsync(OciClient client, string reference, long maxBytes = 64 << 20)
    {
        using var destination = new MemoryStream();
        var pulled = await client.PullModuleAsync(OciReference.Parse(reference), destination, maxBytes, CancellationToken.None);
        return (pulled, destination.ToArray());
    }
}

/// <summary>A destination that keeps no bytes: it hashes and counts them, and records the largest single write.</summary>
internal sealed class RecordingStream : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long LargestWrite { get; private set; }

    public long Written { get; private set; }

    public string Digest => "sha256:" + Convert.ToHexStringLower(hash.GetCurrentHash());

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        LargestWrite = Math.Max(LargestWrite, buffer.Length);
        Written += buffer.Length;
        hash.AppendData(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
