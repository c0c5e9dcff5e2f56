using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Functions.Runtime.Native;
using Microsoft.Win32.SafeHandles;

namespace Functions.Runtime.Execution;

/// <summary>
/// What the epoch deadline callback checks on every tick while a module runs on this thread: the wall-clock
/// deadline, the size of the stdout and stderr capture files and the caller's cancellation. One per execution thread, reused by each
/// run; Wasmtime calls <see cref="OnEpoch"/> on the thread that runs the module, so no field is shared across threads
/// except <see cref="_cancelled"/>.
/// </summary>
internal sealed unsafe class RunWatch : IDisposable
{
    private static readonly byte[] StopMessage = "stopped by the host"u8.ToArray();
    private readonly SafeFileHandle _stdout;
    private readonly SafeFileHandle _stderr;
    private GCHandle _self;
    private long _deadline;
    private long _maxStdout;
    private volatile bool _cancelled;

    public RunWatch(SafeFileHandle stdout, SafeFileHandle stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
        _self = GCHandle.Alloc(this);
    }

    /// <summary>Why the callback stopped the run, or <see cref="StopReason.None"/>.</summary>
    public StopReason Reason { get; private set; }

    /// <summary>The data pointer Wasmtime hands back to <see cref="OnEpoch"/>.</summary>
    public nint Data => GCHandle.ToIntPtr(_self);

    public static delegate* unmanaged<nint, nint, ulong*, byte*, nint> Callback => &OnEpoch;

    public void Begin(TimeSpan timeout, long maxStdout)
    {
        Reason = StopReason.None;
        _cancelled = false;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _maxStdout = maxStdout;
    }

    /// <summary>Asks the running module to stop at the next tick (from any thread).</summary>
    public void Cancel() => _cancelled = true;

    [UnmanagedCallersOnly]
    private static nint OnEpoch(nint context, nint data, ulong* delta, byte* kind)
    {
        var watch = (RunWatch)GCHandle.FromIntPtr(data).Target!;
        var reason = watch.Check();
        if (reason == StopReason.None)
        {
            *delta = 1;
            *kind = WasmtimeNative.UpdateDeadlineContinue;
            return 0;
        }

        watch.Reason = reason;
        fixed (byte* message = StopMessage)
        {
            return WasmtimeNative.ErrorNew(message);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StopReason Check()
    {
        try
        {
            if (_cancelled)
            {
                return StopReason.Cancelled;
            }

            if (Stopwatch.GetTimestamp() >= _deadline)
            {
                return StopReason.TimedOut;
            }

            // A module may write between two ticks what it can write in one tick: the overshoot is bounded by time.
            if (RandomAccess.GetLength(_stdout) > _maxStdout || RandomAccess.GetLength(_stderr) > _maxStdout)
            {
                return StopReason.OutputLimitExceeded;
            }

            return StopReason.None;
        }
        catch (Exception)
        {
            // No exception may leave a native callback (it would end the process); capture files that cannot be
            // checked mean nothing the module writes can be kept.
            return StopReason.OutputLimitExceeded;
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

/// <summary>Why the host stopped a run.</summary>
internal enum StopReason
{
    None,
    TimedOut,
    OutputLimitExceeded,
    Cancelled,
}
