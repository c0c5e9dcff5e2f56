using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// An instantiated module in its own store, waiting for its one invocation; deleted after it, never reused. The
/// handle owns the <c>wasmtime_store_t</c> (and with it the instance's pooling-allocator slot).
/// </summary>
internal sealed class PreparedInstance : SafeHandle
{
    private readonly SlotCounter _counter;

    public PreparedInstance(nint store, SlotCounter counter) : base(0, ownsHandle: true)
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
