using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// The runtime's own <c>wasi_snapshot_preview1.fd_write</c>, defined over WASI's in the linker: writes to fd 1 and 2
/// during a run go straight from the module's memory into the running thread's <see cref="OutputCapture"/>s; every
/// other write (files of a writable volume, or stdout while a start section runs) goes to WASI's own
/// <c>fd_write</c> (<see cref="WasiBridge"/>). WASI's stdout and stderr are then left at their default, a sink.
/// Capture files cost two <c>open</c>, two <c>close</c>, a <c>write</c> per <c>fd_write</c> and the reads back: about
/// ten system calls a request, a third of a hello function's CPU over HTTP on the benchmark machine
/// (docs/performance.md); Wasmtime's custom output callbacks cost a tokio task per store. The output limit is exact: the write that would pass it stops the
/// run instead.
/// Like a CGI script's stdout pipe, fd 1 and 2 stay the response and the log even if the module closes or renumbers
/// them.
/// </summary>
internal static unsafe class StdioCapture
{
    private const int ErrnoFault = 21;
    private const int ErrnoInval = 28;

    /// <summary>As Linux's <c>writev</c> (IOV_MAX): more buffers in one call is EINVAL, so one host call stays short.</summary>
    private const uint MaxIovecs = 1024;
    private static readonly byte[] OverLimit = "stopped by the host: the output limit was reached"u8.ToArray();
    private static readonly byte[] Failed = "stopped by the host: writing the output failed"u8.ToArray();

    /// <summary>The scratch state of the run on this thread, or null outside <see cref="Enter"/> / <see cref="Exit"/>.</summary>
    [ThreadStatic]
    private static ThreadScratch? t_running;

    /// <summary>The scratch state of the run on this thread, or null.</summary>
    internal static ThreadScratch? Running => t_running;

    /// <summary>
    /// Defines the capturing <c>fd_write</c> in <paramref name="linker"/> (which has WASI already), handing other
    /// writes to <paramref name="bridge"/>, which must outlive every store of the engine.
    /// </summary>
    public static void Define(nint linker, WasiBridge bridge) =>
        WasiBridge.Shadow(linker, WasiBridge.FdWrite, &FdWrite, bridge.Data, "the output capture");

    /// <summary>Routes this thread's fd 1 and 2 writes into <paramref name="scratch"/>'s captures until <see cref="Exit"/>.</summary>
    public static void Enter(ThreadScratch scratch)
    {
        scratch.Wasi = default;
        t_running = scratch;
    }

    public static void Exit() => t_running = null;

    [UnmanagedCallersOnly]
    private static nint FdWrite(nint bridge, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        var scratch = t_running;
        var fd = args[0].I32;
        if (scratch is null || (fd != 1 && fd != 2))
        {
            return WasiBridge.Forward(bridge, caller, args, count, poll: false);
        }

        try
        {
            if (!WasmtimeNative.TryGetCallerMemory(caller, out var memory))
            {
                return WasiBridge.Forward(bridge, caller, args, count, poll: false); // WASI's answer to a module without memory
            }

            var context = WasmtimeNative.CallerContext(caller);
            var union = (byte*)&memory + 8;
            var data = WasmtimeNative.MemoryData(context, union);
            var size = (ulong)WasmtimeNative.MemoryDataSize(context, union);
            var iovs = (uint)args[1].I32;
            var iovCount = (uint)args[2].I32;
            var written = (uint)args[3].I32;
            if (iovCount > MaxIovecs)
            {
                args[0].I32 = ErrnoInval;
                return 0;
            }

            if (iovs + 8UL * iovCount > size || written + 4UL > size)
            {
                args[0].I32 = ErrnoFault;
                return 0;
            }

            var capture = fd == 1 ? scratch.Stdout : scratch.Stderr;
            ulong total = 0;
            for (var i = 0u; i < iovCount; i++)
            {
                var entry = data + iovs + (8UL * i);
                var buffer = *(uint*)entry;
                var length = *(uint*)(entry + 4);
                if (buffer + (ulong)length > size)
                {
                    args[0].I32 = ErrnoFault;
                    return 0;
                }

                total += length;
            }

            if (capture.Written + (long)total > scratch.MaxOutputBytes)
            {
                scratch.Watch.Stop(StopReason.OutputLimitExceeded);
                return WasiBridge.Trap(OverLimit);
            }

            for (var i = 0u; i < iovCount; i++)
            {
                var entry = data + iovs + (8UL * i);
                capture.Append(new ReadOnlySpan<byte>(data + *(uint*)entry, (int)*(uint*)(entry + 4)));
            }

            *(uint*)(data + written) = (uint)total;
            args[0].I32 = 0;
            return 0;
        }
        catch (Exception)
        {
            // No exception may leave a native callback (it would end the process).
            scratch.Watch.Stop(StopReason.OutputLimitExceeded);
            return WasiBridge.Trap(Failed);
        }
    }
}
