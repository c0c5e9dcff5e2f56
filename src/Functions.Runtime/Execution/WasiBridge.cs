using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// Hands the calls the runtime's own WASI functions do not answer themselves to WASI's: the writes
/// <see cref="StdioCapture"/> does not capture (files of a writable volume, invalid descriptors, stdout while a start
/// section runs) and the polls <see cref="PollOneoff"/> does not answer (subscriptions on other descriptors than
/// stdio). WASI reads and writes its caller's <c>memory</c> export, and a call made by the host has no caller
/// instance: so the call goes through a small module instantiated in the module's store, which imports the module's
/// memory, exports it as its own and calls WASI. Instantiated at the first such call of a run (microseconds; runs that
/// only write stdout and stderr never pay it).
/// </summary>
internal sealed unsafe class WasiBridge : IDisposable
{
    public const string Wat = """
        (module
          (import "host" "memory" (memory 0))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
          (export "memory" (memory 0))
          (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
            (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
          (func (export "poll_oneoff") (param i32 i32 i32 i32) (result i32)
            (call $poll_oneoff (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
        """;

    /// <summary>The module of the imports the runtime shadows and the bridge hands on to.</summary>
    internal static readonly byte[] WasiModule = "wasi_snapshot_preview1"u8.ToArray();

    internal static readonly byte[] FdWrite = "fd_write"u8.ToArray();

    internal static readonly byte[] PollOneoff = "poll_oneoff"u8.ToArray();

    private readonly nint _wasiLinker;
    private readonly Wasmtime.Module _module;
    private readonly nint _modulePointer;
    private GCHandle _self;

    /// <param name="wasiLinker">A linker with nothing but WASI; it must outlive every store of the engine.</param>
    /// <param name="module">The compiled <see cref="Wat"/>.</param>
    public WasiBridge(nint wasiLinker, Wasmtime.Module module)
    {
        _wasiLinker = wasiLinker;
        _module = module;
        _modulePointer = WasmtimeNative.Pointer(module);
        _self = GCHandle.Alloc(this);
    }

    /// <summary>The data pointer the host function is given, from which <see cref="From"/> gets the bridge back.</summary>
    public nint Data => GCHandle.ToIntPtr(_self);

    public static WasiBridge From(nint data) => (WasiBridge)GCHandle.FromIntPtr(data).Target!;

    /// <summary>
    /// Defines <paramref name="callback"/> (given <paramref name="data"/>) as <c>wasi_snapshot_preview1.</c><paramref name="name"/>
    /// in <paramref name="linker"/>, over WASI's: both functions the runtime shadows take four i32 and answer one.
    /// </summary>
    public static void Shadow(nint linker, byte[] name, delegate* unmanaged<nint, nint, WasmtimeNative.ValRaw*, nuint, nint> callback,
        nint data, string what)
    {
        var types = stackalloc nint[4];
        for (var i = 0; i < 4; i++)
        {
            types[i] = WasmtimeNative.ValTypeNew(WasmtimeNative.ValKindI32);
        }

        var result = WasmtimeNative.ValTypeNew(WasmtimeNative.ValKindI32);
        WasmtimeNative.ValTypeVec parameters, results;
        WasmtimeNative.ValTypeVecNew(&parameters, 4, types);
        WasmtimeNative.ValTypeVecNew(&results, 1, &result);
        var functype = WasmtimeNative.FuncTypeNew(&parameters, &results);
        nint error;
        WasmtimeNative.LinkerAllowShadowing(linker, true);
        fixed (byte* module = WasiModule)
        fixed (byte* function = name)
        {
            error = WasmtimeNative.LinkerDefineFuncUnchecked(linker, module, (nuint)WasiModule.Length, function,
                (nuint)name.Length, functype, callback, data, 0);
        }

        WasmtimeNative.LinkerAllowShadowing(linker, false);
        WasmtimeNative.FuncTypeDelete(functype);
        if (error != 0)
        {
            throw new InvalidOperationException($"Wasmtime could not define {what}: " + WasmtimeNative.TakeErrorMessage(error));
        }
    }

    /// <summary>
    /// Calls WASI's own <c>fd_write</c> or <c>poll_oneoff</c> with the same arguments; its result is left in
    /// <paramref name="args"/>. Bound once per run (kept in the running thread's scratch state); outside a run (a start
    /// section) once per call.
    /// </summary>
    public static nint Forward(nint bridge, nint caller, WasmtimeNative.ValRaw* args, nuint count, bool poll)
    {
        try
        {
            var context = WasmtimeNative.CallerContext(caller);
            var scratch = StdioCapture.Running;
            var functions = scratch?.Wasi ?? default;
            if (!functions.IsBound)
            {
                if (From(bridge).TryBind(caller, context, out functions) is { } problem)
                {
                    return Trap(System.Text.Encoding.UTF8.GetBytes(problem));
                }

                if (scratch is not null)
                {
                    scratch.Wasi = functions; // valid in this store only: StdioCapture.Enter clears it for the next run
                }
            }

            var func = poll ? functions.PollOneoff : functions.FdWrite;
            var error = WasmtimeNative.FuncCallUnchecked(context, func, args, count, out var trap);
            return error == 0 ? trap : Trap(System.Text.Encoding.UTF8.GetBytes(WasmtimeNative.TakeErrorMessage(error)));
        }
        catch (Exception)
        {
            return Trap("stopped by the host: calling WASI failed"u8.ToArray());
        }
    }

    /// <summary>A trap for a host function to return.</summary>
    public static nint Trap(byte[] message)
    {
        fixed (byte* text = message)
        {
            return WasmtimeNative.TrapNew(text, (nuint)message.Length);
        }
    }

    /// <summary>
    /// WASI's <c>fd_write</c> and <c>poll_oneoff</c> for the caller's store, bound to the caller's memory; or null, with
    /// the reason, when the module exports no memory or the bridge cannot be instantiated.
    /// </summary>
    public string? TryBind(nint caller, nint context, out Functions bound)
    {
        bound = default;
        var imports = stackalloc WasmtimeNative.Extern[3];
        fixed (byte* wasi = WasiModule)
        fixed (byte* write = FdWrite)
        fixed (byte* poll = PollOneoff)
        {
            if (!WasmtimeNative.TryGetCallerMemory(caller, out imports[0]))
            {
                return "missing required memory export";
            }

            if (!WasmtimeNative.LinkerGet(_wasiLinker, context, wasi, (nuint)WasiModule.Length, write, (nuint)FdWrite.Length, out imports[1])
                || !WasmtimeNative.LinkerGet(_wasiLinker, context, wasi, (nuint)WasiModule.Length, poll, (nuint)PollOneoff.Length, out imports[2]))
            {
                return "WASI's fd_write or poll_oneoff is not defined";
            }

            var error = WasmtimeNative.InstanceNew(context, _modulePointer, imports, 3, out var instance, out var trap);
            GC.KeepAlive(_module);
            if (error != 0)
            {
                return "the WASI bridge could not be instantiated: " + InstanceFactory.FirstLine(WasmtimeNative.TakeErrorMessage(error));
            }

            if (trap != 0)
            {
                return "the WASI bridge trapped: " + InstanceFactory.FirstLine(WasmtimeNative.TakeTrapMessage(trap, out _));
            }

            if (!WasmtimeNative.InstanceExportGet(context, instance, write, (nuint)FdWrite.Length, out var fdWrite)
                || fdWrite.Kind != WasmtimeNative.ExternFunc
                || !WasmtimeNative.InstanceExportGet(context, instance, poll, (nuint)PollOneoff.Length, out var pollOneoff)
                || pollOneoff.Kind != WasmtimeNative.ExternFunc)
            {
                return "the WASI bridge lacks an export";
            }

            bound = new Functions(fdWrite.Func, pollOneoff.Func);
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

    /// <summary>WASI's own functions in one store, valid in that store only; default until bound.</summary>
    internal readonly record struct Functions(WasmtimeNative.Func FdWrite, WasmtimeNative.Func PollOneoff)
    {
        public bool IsBound => FdWrite.StoreId != 0;
    }
}
