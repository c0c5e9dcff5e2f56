using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// Hands the writes <see cref="StdioCapture"/> does not capture (files of a writable volume, invalid descriptors,
/// stdout while a start section runs) to WASI's own <c>fd_write</c>. WASI reads the buffers from its caller's
/// <c>memory</c> export, and a call made by the host has no caller instance: so the call goes through a two-line
/// module instantiated in the module's store, which imports the module's memory, exports it as its own and calls
/// WASI. Instantiated at the first such write of a run (microseconds; runs that only write stdout and stderr never
/// pay it).
/// </summary>
internal sealed unsafe class WasiWriteBridge : IDisposable
{
    public const string Wat = """
        (module
          (import "host" "memory" (memory 0))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (export "memory" (memory 0))
          (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
            (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
        """;

    /// <summary>The import the runtime's <see cref="StdioCapture"/> shadows and the bridge hands on to.</summary>
    internal static readonly byte[] WasiModule = "wasi_snapshot_preview1"u8.ToArray();

    internal static readonly byte[] FdWrite = "fd_write"u8.ToArray();

    private readonly nint _wasiLinker;
    private readonly Wasmtime.Module _module;
    private readonly nint _modulePointer;
    private GCHandle _self;

    /// <param name="wasiLinker">A linker with nothing but WASI; it must outlive every store of the engine.</param>
    /// <param name="module">The compiled <see cref="Wat"/>.</param>
    public WasiWriteBridge(nint wasiLinker, Wasmtime.Module module)
    {
        _wasiLinker = wasiLinker;
        _module = module;
        _modulePointer = WasmtimeNative.Pointer(module);
        _self = GCHandle.Alloc(this);
    }

    /// <summary>The data pointer the host function is given, from which <see cref="From"/> gets the bridge back.</summary>
    public nint Data => GCHandle.ToIntPtr(_self);

    public static WasiWriteBridge From(nint data) => (WasiWriteBridge)GCHandle.FromIntPtr(data).Target!;

    /// <summary>
    /// WASI's <c>fd_write</c> for the caller's store, bound to the caller's memory; or null, with the reason, when the
    /// module exports no memory or the bridge cannot be instantiated.
    /// </summary>
    public string? TryBind(nint caller, nint context, out WasmtimeNative.Func fdWrite)
    {
        fdWrite = default;
        var imports = stackalloc WasmtimeNative.Extern[2];
        fixed (byte* wasi = WasiModule)
        fixed (byte* name = FdWrite)
        {
            if (!WasmtimeNative.TryGetCallerMemory(caller, out imports[0]))
            {
                return "missing required memory export";
            }

            if (!WasmtimeNative.LinkerGet(_wasiLinker, context, wasi, (nuint)WasiModule.Length, name, (nuint)FdWrite.Length, out imports[1]))
            {
                return "WASI's fd_write is not defined";
            }

            var error = WasmtimeNative.InstanceNew(context, _modulePointer, imports, 2, out var instance, out var trap);
            GC.KeepAlive(_module);
            if (error != 0)
            {
                return "the output bridge could not be instantiated: " + InstanceFactory.FirstLine(WasmtimeNative.TakeErrorMessage(error));
            }

            if (trap != 0)
            {
                return "the output bridge trapped: " + InstanceFactory.FirstLine(WasmtimeNative.TakeTrapMessage(trap, out _));
            }

            if (!WasmtimeNative.InstanceExportGet(context, instance, name, (nuint)FdWrite.Length, out var export)
                || export.Kind != WasmtimeNative.ExternFunc)
            {
                return "the output bridge has no fd_write";
            }

            fdWrite = export.Func;
            return null;
        }
    }

    public void Dispose()
    {
        if (_self.IsAllocated)
        {
            _self.Free();
        }

        _module.Dispose();
    }
}
