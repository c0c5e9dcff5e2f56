using System.Runtime.InteropServices;

namespace Functions.Runtime.Execution;

/// <summary>
/// Collects a run's stderr through Wasmtime's custom-output callback, keeping the first bytes up to a cap and
/// counting the rest: memory stays bounded however much a module writes, and a run that writes nothing to stderr (the
/// usual case) costs nothing, where a capture file would cost an open per request. Wasmtime calls back on one of its
/// own threads while the module's <c>fd_write</c> waits, hence the lock.
/// </summary>
internal sealed unsafe class StderrSink : IDisposable
{
    private readonly Lock _lock = new();
    private readonly int _cap;
    private byte[] _buffer = [];
    private int _kept;
    private long _total;
    private GCHandle _self;

    public StderrSink(int cap)
    {
        _cap = cap;
        _self = GCHandle.Alloc(this);
    }

    public nint Data => GCHandle.ToIntPtr(_self);

    public static delegate* unmanaged<nint, byte*, nuint, nint> Callback => &OnWrite;

    public void Reset()
    {
        lock (_lock)
        {
            _kept = 0;
            _total = 0;
        }
    }

    /// <summary>The bytes kept and how many more were written.</summary>
    public (byte[] Kept, long Dropped) Take()
    {
        lock (_lock)
        {
            return (_buffer.AsSpan(0, _kept).ToArray(), _total - _kept);
        }
    }

    [UnmanagedCallersOnly]
    private static nint OnWrite(nint data, byte* bytes, nuint length)
    {
        var sink = (StderrSink)GCHandle.FromIntPtr(data).Target!;
        sink.Append(bytes, length);
        return (nint)length;
    }

    private void Append(byte* bytes, nuint length)
    {
        lock (_lock)
        {
            _total += (long)length;
            var take = (int)Math.Min((ulong)(_cap - _kept), length);
            if (take <= 0)
            {
                return;
            }

            if (_kept + take > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Min(_cap, Math.Max(_buffer.Length * 2, _kept + take)));
            }

            new ReadOnlySpan<byte>(bytes, take).CopyTo(_buffer.AsSpan(_kept));
            _kept += take;
        }
    }

    public void Dispose()
    {
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }
}
