using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// An instantiated module in its own store, waiting for its one invocation; deleted after it, never reused. The
/// handle owns the <c>wasmtime_store_t</c> (and with it the instance's pooling-allocator slot).
/// </summary>
internal sealed class PreparedInstance : SafeHandle
{
    private readonly InstanceCounter _counter;

    public PreparedInstance(nint store, InstanceCounter counter) : base(0, ownsHandle: true)
    {
        SetHandle(store);
        _counter = counter;
        Context = WasmtimeNative.StoreContext(store);
    }

    public nint Store => handle;

    public nint Context { get; }

    /// <summary>The entrypoint, resolved once when the instance was made.</summary>
    public WasmtimeNative.Func Entrypoint;

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        WasmtimeNative.StoreDelete(handle);
        _counter.Release();
        return true;
    }
}

/// <summary>Live stores against the pooling allocator's capacity: a request that would not find a slot is Busy.</summary>
internal sealed class InstanceCounter(int capacity)
{
    private int _live;

    public int Capacity { get; } = capacity;

    public int Live => Volatile.Read(ref _live);

    /// <summary>Takes a slot unless fewer than <paramref name="reserve"/> would remain.</summary>
    public bool TryAcquire(int reserve = 0)
    {
        while (true)
        {
            var live = Volatile.Read(ref _live);
            if (live + reserve >= Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _live, live + 1, live) == live)
            {
                return true;
            }
        }
    }

    public void Release() => Interlocked.Decrement(ref _live);
}
