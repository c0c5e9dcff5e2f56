using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Modules;

/// <summary>
/// A <c>wasmtime_instance_pre_t</c>: a module with its imports already resolved against the WASI linker, so each
/// instantiation skips name resolution. Shared by every pool of the module; thread-safe (Wasmtime's InstancePre is Sync).
/// </summary>
internal sealed class InstancePreHandle : SafeHandle
{
    public InstancePreHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        WasmtimeNative.InstancePreDelete(handle);
        return true;
    }
}
