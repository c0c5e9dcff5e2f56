using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wasmtime;

namespace Functions.Runtime.Native;

/// <summary>
/// The part of Wasmtime's C API that the managed package (<c>Wasmtime</c> 50.0.1, pinned in Directory.Packages.props)
/// does not wrap, called on the package's own native library: <c>InstancePre</c>, stores and WASI contexts built
/// natively (stdin from bytes, exit status without an exception), the epoch deadline callback. Declarations follow
/// <c>crates/c-api/include/{wasi.h,wasmtime/*.h}</c>. <see cref="NativeSelfTest"/> checks this layer when the runtime
/// starts, so an ABI change in a package update fails fast with a clear message instead of corrupting memory.
/// </summary>
internal static unsafe partial class WasmtimeNative
{
    /// <summary>The managed package's native library name; the runtime resolves it from the package's runtimes folder.</summary>
    private const string Library = "wasmtime";

    public const byte ExternFunc = 0;
    public const byte ExternMemory = 3;
    public const byte ValKindI32 = 0;
    public const byte UpdateDeadlineContinue = 0;
    public const byte TrapCodeStackOverflow = 0;
    public const byte TrapCodeInterrupt = 10;

    /// <summary><c>wasmtime_func_t</c>: a function of one store.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Func
    {
        public ulong StoreId;
        public nint Private;
    }

    /// <summary><c>wasmtime_instance_t</c>: an instance of one store.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Instance
    {
        public ulong StoreId;
        public nuint Private;
    }

    /// <summary><c>wasmtime_extern_t</c>: a kind byte, then a 24-byte union aligned to 8.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct Extern
    {
        [FieldOffset(0)]
        public byte Kind;

        [FieldOffset(8)]
        public Func Func;
    }

    /// <summary>
    /// <c>wasmtime_val_raw_t</c>: one argument or result of an unchecked host call, a 16-byte union (an <c>i32</c>
    /// sits in its first four bytes).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct ValRaw
    {
        [FieldOffset(0)]
        public int I32;
    }

    /// <summary><c>wasm_valtype_vec_t</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ValTypeVec
    {
        public nuint Size;
        public nint* Data;
    }

    /// <summary><c>wasm_byte_vec_t</c> (also <c>wasm_name_t</c>, <c>wasm_message_t</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ByteVec
    {
        public nuint Size;
        public byte* Data;
    }

    // --- handles of the managed wrapper -------------------------------------------------------------------------

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_NativeHandle")]
    [return: UnsafeAccessorType("Wasmtime.Engine+Handle, Wasmtime.Dotnet")]
    private static extern object EngineHandle(Engine engine);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_NativeHandle")]
    [return: UnsafeAccessorType("Wasmtime.Module+Handle, Wasmtime.Dotnet")]
    private static extern object ModuleHandle(Wasmtime.Module module);

    /// <summary>
    /// <c>wasmtime_pooling_allocation_config_total_stacks_set</c>: the package has the setter but keeps it internal
    /// (50.0.1); the self-test at start-up would not notice if it went, the engine would just reserve the default.
    /// </summary>
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "WithMaxStacks")]
    public static extern PoolingAllocationConfig WithMaxStacks(PoolingAllocationConfig config, uint count);

    /// <summary>The <c>wasm_engine_t*</c> behind <paramref name="engine"/>; valid while the engine is alive.</summary>
    public static nint Pointer(Engine engine) => ((SafeHandle)EngineHandle(engine)).DangerousGetHandle();

    /// <summary>The <c>wasmtime_module_t*</c> behind <paramref name="module"/>; valid while the module is alive.</summary>
    public static nint Pointer(Wasmtime.Module module) => ((SafeHandle)ModuleHandle(module)).DangerousGetHandle();

    // --- linker and InstancePre ---------------------------------------------------------------------------------

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_new")]
    public static partial nint LinkerNew(nint engine);

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_define_wasi")]
    public static partial nint LinkerDefineWasi(nint linker);

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_allow_shadowing")]
    public static partial void LinkerAllowShadowing(nint linker, [MarshalAs(UnmanagedType.U1)] bool allow);

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_define_func_unchecked")]
    public static partial nint LinkerDefineFuncUnchecked(nint linker, byte* module, nuint moduleLength, byte* name, nuint nameLength,
        nint functype, delegate* unmanaged<nint, nint, ValRaw*, nuint, nint> callback, nint data, nint finalizer);

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_get")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool LinkerGet(nint linker, nint context, byte* module, nuint moduleLength, byte* name, nuint nameLength,
        out Extern item);

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_delete")]
    public static partial void LinkerDelete(nint linker);

    [LibraryImport(Library, EntryPoint = "wasmtime_linker_instantiate_pre")]
    public static partial nint LinkerInstantiatePre(nint linker, nint module, out nint instancePre);

    [LibraryImport(Library, EntryPoint = "wasmtime_instance_pre_instantiate")]
    public static partial nint InstancePreInstantiate(nint instancePre, nint context, out Instance instance, out nint trap);

    [LibraryImport(Library, EntryPoint = "wasmtime_instance_new")]
    public static partial nint InstanceNew(nint context, nint module, Extern* imports, nuint importCount, out Instance instance, out nint trap);

    [LibraryImport(Library, EntryPoint = "wasmtime_instance_pre_delete")]
    public static partial void InstancePreDelete(nint instancePre);

    [LibraryImport(Library, EntryPoint = "wasmtime_instance_export_get")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool InstanceExportGet(nint context, in Instance instance, byte* name, nuint nameLength, out Extern item);

    // --- stores -------------------------------------------------------------------------------------------------

    [LibraryImport(Library, EntryPoint = "wasmtime_store_new")]
    public static partial nint StoreNew(nint engine, nint data, nint finalizer);

    [LibraryImport(Library, EntryPoint = "wasmtime_store_context")]
    public static partial nint StoreContext(nint store);

    [LibraryImport(Library, EntryPoint = "wasmtime_store_delete")]
    public static partial void StoreDelete(nint store);

    [LibraryImport(Library, EntryPoint = "wasmtime_store_limiter")]
    public static partial void StoreLimiter(nint store, long memorySize, long tableElements, long instances, long tables, long memories);

    [LibraryImport(Library, EntryPoint = "wasmtime_context_set_epoch_deadline")]
    public static partial void ContextSetEpochDeadline(nint context, ulong ticksBeyondCurrent);

    [LibraryImport(Library, EntryPoint = "wasmtime_store_epoch_deadline_callback")]
    public static partial void StoreEpochDeadlineCallback(
        nint store, delegate* unmanaged<nint, nint, ulong*, byte*, nint> callback, nint data, nint finalizer);

    [LibraryImport(Library, EntryPoint = "wasmtime_context_set_wasi")]
    public static partial nint ContextSetWasi(nint context, nint wasiConfig);

    [LibraryImport(Library, EntryPoint = "wasmtime_func_call")]
    public static partial nint FuncCall(nint context, in Func func, nint args, nuint argCount, nint results, nuint resultCount, out nint trap);

    [LibraryImport(Library, EntryPoint = "wasmtime_func_call_unchecked")]
    public static partial nint FuncCallUnchecked(nint context, in Func func, ValRaw* argsAndResults, nuint count, out nint trap);

    // --- host functions: the caller, its memory, function types --------------------------------------------------

    [LibraryImport(Library, EntryPoint = "wasmtime_caller_context")]
    public static partial nint CallerContext(nint caller);

    [LibraryImport(Library, EntryPoint = "wasmtime_caller_export_get")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool CallerExportGet(nint caller, byte* name, nuint nameLength, out Extern item);

    private static ReadOnlySpan<byte> MemoryExportName => "memory"u8;

    /// <summary>The caller's <c>memory</c> export (WASI's convention), or false when it exports no memory.</summary>
    public static bool TryGetCallerMemory(nint caller, out Extern memory)
    {
        fixed (byte* name = MemoryExportName)
        {
            return CallerExportGet(caller, name, (nuint)MemoryExportName.Length, out memory) && memory.Kind == ExternMemory;
        }
    }

    /// <summary><c>wasmtime_memory_data</c>; <paramref name="memory"/> points at the <c>wasmtime_memory_t</c> in an extern's union.</summary>
    [LibraryImport(Library, EntryPoint = "wasmtime_memory_data")]
    public static partial byte* MemoryData(nint context, void* memory);

    [LibraryImport(Library, EntryPoint = "wasmtime_memory_data_size")]
    public static partial nuint MemoryDataSize(nint context, void* memory);

    [LibraryImport(Library, EntryPoint = "wasm_valtype_new")]
    public static partial nint ValTypeNew(byte kind);

    [LibraryImport(Library, EntryPoint = "wasm_valtype_vec_new")]
    public static partial void ValTypeVecNew(ValTypeVec* vec, nuint size, nint* types);

    [LibraryImport(Library, EntryPoint = "wasm_functype_new")]
    public static partial nint FuncTypeNew(ValTypeVec* parameters, ValTypeVec* results);

    [LibraryImport(Library, EntryPoint = "wasm_functype_delete")]
    public static partial void FuncTypeDelete(nint functype);

    [LibraryImport(Library, EntryPoint = "wasmtime_trap_new")]
    public static partial nint TrapNew(byte* message, nuint length);

    // --- WASI configuration -------------------------------------------------------------------------------------

    [LibraryImport(Library, EntryPoint = "wasi_config_new")]
    public static partial nint WasiConfigNew();

    [LibraryImport(Library, EntryPoint = "wasi_config_delete")]
    public static partial void WasiConfigDelete(nint config);

    [LibraryImport(Library, EntryPoint = "wasi_config_set_argv")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WasiConfigSetArgv(nint config, nuint count, byte** argv);

    [LibraryImport(Library, EntryPoint = "wasi_config_set_env")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WasiConfigSetEnv(nint config, nuint count, byte** names, byte** values);

    [LibraryImport(Library, EntryPoint = "wasi_config_set_stdin_bytes")]
    public static partial void WasiConfigSetStdinBytes(nint config, ByteVec* bytes);

    [LibraryImport(Library, EntryPoint = "wasi_config_preopen_dir")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool WasiConfigPreopenDir(nint config, byte* hostPath, byte* guestPath, [MarshalAs(UnmanagedType.U1)] bool mutable);

    // --- errors and traps ---------------------------------------------------------------------------------------

    [LibraryImport(Library, EntryPoint = "wasmtime_error_new")]
    public static partial nint ErrorNew(byte* message);

    [LibraryImport(Library, EntryPoint = "wasmtime_error_delete")]
    public static partial void ErrorDelete(nint error);

    [LibraryImport(Library, EntryPoint = "wasmtime_error_message")]
    public static partial void ErrorMessage(nint error, out ByteVec message);

    [LibraryImport(Library, EntryPoint = "wasmtime_error_exit_status")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool ErrorExitStatus(nint error, out int status);

    [LibraryImport(Library, EntryPoint = "wasm_trap_message")]
    public static partial void TrapMessage(nint trap, out ByteVec message);

    [LibraryImport(Library, EntryPoint = "wasmtime_trap_code")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool TrapCode(nint trap, out byte code);

    [LibraryImport(Library, EntryPoint = "wasm_trap_delete")]
    public static partial void TrapDelete(nint trap);

    [LibraryImport(Library, EntryPoint = "wasm_byte_vec_new_uninitialized")]
    public static partial void ByteVecNewUninitialized(ByteVec* vec, nuint size);

    [LibraryImport(Library, EntryPoint = "wasm_byte_vec_delete")]
    public static partial void ByteVecDelete(ref ByteVec vec);

    /// <summary>Reads and frees a <c>wasmtime_error_t</c>'s message.</summary>
    public static string TakeErrorMessage(nint error)
    {
        ErrorMessage(error, out var vec);
        var text = Text(vec);
        ByteVecDelete(ref vec);
        ErrorDelete(error);
        return text;
    }

    /// <summary>Reads and frees a <c>wasm_trap_t</c>'s message; <paramref name="code"/> is null for a host-made trap.</summary>
    public static string TakeTrapMessage(nint trap, out byte? code)
    {
        code = TrapCode(trap, out var value) ? value : null;
        TrapMessage(trap, out var vec);
        var text = Text(vec);
        ByteVecDelete(ref vec);
        TrapDelete(trap);
        return text;
    }

    // --- libc: who owns the disk cache (kept here: every P/Invoke of the runtime lives in this file) ------------

    private const int AtFdCwd = -100;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    /// <summary>
    /// The owner and mode of <paramref name="path"/> (symbolic links followed), through <c>statx</c>, whose layout is
    /// the same on every architecture; false with errno set when it cannot be read.
    /// </summary>
    public static bool TryGetOwnerAndMode(string path, out uint owner, out UnixFileMode mode)
    {
        var buffer = stackalloc byte[256]; // struct statx
        owner = 0;
        mode = 0;
        if (Statx(AtFdCwd, path, 0, StatxMode | StatxUid, buffer) != 0)
        {
            return false;
        }

        owner = *(uint*)(buffer + 20); // stx_uid
        mode = (UnixFileMode)(*(ushort*)(buffer + 28) & 0xFFF); // stx_mode, permission bits
        return true;
    }

    private static string Text(ByteVec vec)
    {
        var length = (int)vec.Size;
        while (length > 0 && vec.Data[length - 1] == 0)
        {
            length--; // trap messages carry a trailing NUL
        }

        return System.Text.Encoding.UTF8.GetString(vec.Data, length);
    }
}
