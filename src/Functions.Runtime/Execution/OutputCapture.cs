namespace Functions.Runtime.Execution;

/// <summary>
/// What a module writes to one of its standard streams during one run, in memory: the first bytes up to a kept
/// limit, and the count of everything written. Reused run after run by one runner; never shared between threads.
/// </summary>
internal sealed class OutputCapture
{
    private const int InitialBytes = 16 * 1024;

    /// <summary>A buffer grown past this by a big run is dropped afterwards, so an idle runner does not hold it.</summary>
    private const int KeepBufferBytes = 1024 * 1024;

    private byte[] _buffer = new byte[InitialBytes];
    private int _kept;
    private long _keepLimit;

    /// <summary>Bytes the module wrote in this run, kept or not.</summary>
    public long Written { get; private set; }

    /// <summary>The bytes kept: the first <see cref="Written"/>, up to the limit given to <see cref="Begin"/>.</summary>
    public ReadOnlySpan<byte> Kept => _buffer.AsSpan(0, _kept);

    /// <summary>Starts a run that keeps up to <paramref name="keepLimit"/> bytes.</summary>
    public void Begin(long keepLimit)
    {
        _kept = 0;
        Written = 0;
        _keepLimit = Math.Min(keepLimit, Array.MaxLength);
    }

    /// <summary>Counts <paramref name="bytes"/> and keeps what fits under the limit.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        Written += bytes.Length;
        var room = (int)Math.Min(bytes.Length, _keepLimit - _kept);
        if (room <= 0)
        {
            return;
        }

        if (_kept + room > _buffer.Length)
        {
            var size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, (long)_kept + room), Array.MaxLength);
            var bigger = GC.AllocateUninitializedArray<byte>(size);
            _buffer.AsSpan(0, _kept).CopyTo(bigger);
            _buffer = bigger;
        }

        bytes[..room].CopyTo(_buffer.AsSpan(_kept));
        _kept += room;
    }

    /// <summary>A copy of the kept bytes.</summary>
    public byte[] ToArray() => _kept == 0 ? [] : Kept.ToArray();

    /// <summary>Ends the run: a buffer a big output grew is given back.</summary>
    public void End()
    {
        if (_buffer.Length > KeepBufferBytes)
        {
            _buffer = new byte[InitialBytes];
        }

        _kept = 0;
    }
}
