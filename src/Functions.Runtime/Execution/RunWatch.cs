using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// What the epoch deadline callback checks on every tick while a module runs on this thread: the wall-clock
/// deadline and the caller's cancellation; and why the run was stopped (the output capture stops runs too). One per
/// execution thread, reused by each run; Wasmtime calls <see cref="OnEpoch"/> on the thread that runs the module, so no
/// field is shared across threads except <see cref="_cancelled"/>.
/// </summary>
internal sealed unsafe class RunWatch : IDisposable
{
    private static readonly byte[] StopMessage = "stopped by the host"u8.ToArray();
    private readonly object _gate = new();
    private GCHandle _self;
    private long _deadline;
    private volatile bool _cancelled;

    public RunWatch() => _self = GCHandle.Alloc(this);

    /// <summary>Why the callback stopped the run, or <see cref="StopReason.None"/>.</summary>
    public StopReason Reason { get; private set; }

    /// <summary>The data pointer Wasmtime hands back to <see cref="OnEpoch"/>.</summary>
    public nint Data => GCHandle.ToIntPtr(_self);

    public static delegate* unmanaged<nint, nint, ulong*, byte*, nint> Callback => &OnEpoch;

    public void Begin(TimeSpan timeout)
    {
        Reason = StopReason.None;
        _cancelled = false;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The Stopwatch timestamp at which the run times out.</summary>
    public long Deadline => _deadline;

    /// <summary>Records why a host function on this thread stopped the run (it then returns a trap).</summary>
    public void Stop(StopReason reason) => Reason = reason;

    /// <summary>Asks the running module to stop at the next tick (from any thread); wakes it from <see cref="Sleep"/>.</summary>
    public void Cancel()
    {
        _cancelled = true;
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Blocks the running thread until the Stopwatch timestamp <paramref name="until"/>; false when the run was
    /// cancelled first (at once, not at the next tick). A sleep may end up to a millisecond late, never early.
    /// </summary>
    public bool Sleep(long until)
    {
        lock (_gate)
        {
            while (!_cancelled)
            {
                var left = until - Stopwatch.GetTimestamp();
                if (left <= 0)
                {
                    return true;
                }

                Monitor.Wait(_gate, Milliseconds(left));
            }

            return false;
        }
    }

    /// <summary>Whole milliseconds, rounded up (at least 1), for <paramref name="ticks"/> of the Stopwatch.</summary>
    public static int Milliseconds(long ticks) =>
        (int)Math.Clamp(Math.Ceiling(ticks * 1000.0 / Stopwatch.Frequency), 1, int.MaxValue);

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
    private StopReason Check() =>
        _cancelled ? StopReason.Cancelled
        : Stopwatch.GetTimestamp() >= _deadline ? StopReason.TimedOut
        : StopReason.None;

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
