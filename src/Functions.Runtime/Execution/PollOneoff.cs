using System.Diagnostics;
using System.Runtime.InteropServices;
using Functions.Runtime.Native;

namespace Functions.Runtime.Execution;

/// <summary>
/// The runtime's own <c>wasi_snapshot_preview1.poll_oneoff</c>, defined over WASI's in the linker, so that a module
/// that sleeps cannot hold its thread, instance and slot past its deadline: WASI's sleeps in a host call that no epoch
/// deadline interrupts. It answers clock subscriptions (realtime and monotonic, relative or absolute) and
/// subscriptions on the stdio descriptors (fd 0 for reading, fd 1 and 2 for writing: stdin is bytes, stdout and stderr
/// are captured, so all three are ready at once), writing the events of the ready subscriptions as the preview1 ABI
/// says. It sleeps at most until the deadline of what runs on the thread (<see cref="EnterRun"/>: the run's timeout,
/// waking on cancellation; <see cref="EnterInstantiation"/>: the instantiation deadline), then stops the module with a
/// trap. A poll that names another descriptor (a volume's file or directory: never blocking here) goes to WASI's own
/// through <see cref="WasiBridge"/>. Errors are WASI's errno values, as Wasmtime's own answers them: no subscription,
/// an unknown tag, clock or flag is EINVAL, a misaligned pointer EINVAL, one out of memory EFAULT, a stdio descriptor
/// in the wrong direction EBADF.
/// </summary>
internal static unsafe class PollOneoff
{
    private const int ErrnoBadf = 8;
    private const int ErrnoFault = 21;
    private const int ErrnoInval = 28;
    private const uint SubscriptionBytes = 48;
    private const uint EventBytes = 32;
    private const byte TagClock = 0;
    private const byte TagFdRead = 1;
    private const byte TagFdWrite = 2;
    private const uint ClockRealtime = 0;
    private const uint ClockMonotonic = 1;
    private const ushort AbsoluteTime = 1;
    private static readonly byte[] RunDeadline = "stopped by the host: the run's deadline came while it slept in poll_oneoff"u8.ToArray();
    private static readonly byte[] InstantiationDeadline =
        "stopped by the host: the instantiation deadline came while the start section slept in poll_oneoff"u8.ToArray();

    private static readonly byte[] Cancelled = "stopped by the host: the run was cancelled while it slept in poll_oneoff"u8.ToArray();
    private static readonly byte[] NoMemory = "missing required memory export"u8.ToArray();
    private static readonly byte[] Failed = "stopped by the host: poll_oneoff failed"u8.ToArray();

    /// <summary>The run on this thread (its deadline, cancellation and stop reason), or null.</summary>
    [ThreadStatic]
    private static RunWatch? t_watch;

    /// <summary>Stopwatch timestamp after which nothing on this thread may sleep; 0 when nothing bounds it.</summary>
    [ThreadStatic]
    private static long t_deadline;

    /// <summary>Stopwatch timestamp at which the store's WASI context was made: its monotonic clock's zero.</summary>
    [ThreadStatic]
    private static long t_clockBase;

    [ThreadStatic]
    private static bool t_deadlineReached;

    /// <summary>Defines the bounded <c>poll_oneoff</c> in <paramref name="linker"/> (which has WASI already).</summary>
    public static void Define(nint linker, WasiBridge bridge) =>
        WasiBridge.Shadow(linker, WasiBridge.PollOneoff, &Call, bridge.Data, "the bounded poll_oneoff");

    /// <summary>Bounds polls on this thread by <paramref name="watch"/>'s deadline and cancellation until <see cref="Exit"/>.</summary>
    public static void EnterRun(RunWatch watch, long clockBase)
    {
        t_watch = watch;
        t_deadline = watch.Deadline;
        t_clockBase = clockBase;
    }

    /// <summary>Bounds polls on this thread (a start section's) by <paramref name="deadline"/> until <see cref="Exit"/>.</summary>
    public static void EnterInstantiation(long deadline, long clockBase)
    {
        t_watch = null;
        t_deadline = deadline;
        t_clockBase = clockBase;
        t_deadlineReached = false;
    }

    /// <summary>Whether a poll stopped the instantiation on this thread at its deadline.</summary>
    public static bool InstantiationDeadlineReached => t_deadlineReached;

    public static void Exit()
    {
        t_watch = null;
        t_deadline = 0;
    }

    [UnmanagedCallersOnly]
    private static nint Call(nint bridge, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        try
        {
            return Poll(bridge, caller, args, count);
        }
        catch (Exception)
        {
            // No exception may leave a native callback (it would end the process).
            return WasiBridge.Trap(Failed);
        }
    }

    private static nint Poll(nint bridge, nint caller, WasmtimeNative.ValRaw* args, nuint count)
    {
        var subscriptions = (uint)args[0].I32;
        var events = (uint)args[1].I32;
        var subscriptionCount = (uint)args[2].I32;
        var eventCount = (uint)args[3].I32;
        if (subscriptionCount == 0)
        {
            return Errno(args, ErrnoInval); // sleeping forever is not preview1's
        }

        if (!WasmtimeNative.TryGetCallerMemory(caller, out var memory))
        {
            return WasiBridge.Trap(NoMemory);
        }

        var context = WasmtimeNative.CallerContext(caller);
        var union = (byte*)&memory + 8;
        var data = WasmtimeNative.MemoryData(context, union);
        var size = (ulong)WasmtimeNative.MemoryDataSize(context, union);
        if (subscriptions % 8 != 0 || events % 8 != 0 || eventCount % 4 != 0)
        {
            return Errno(args, ErrnoInval);
        }

        if (subscriptions + ((ulong)SubscriptionBytes * subscriptionCount) > size)
        {
            return Errno(args, ErrnoFault);
        }

        var start = Stopwatch.GetTimestamp();
        var realtime = RealtimeNanoseconds();
        var ready = 0;
        var earliest = long.MaxValue;
        for (var i = 0u; i < subscriptionCount; i++)
        {
            var subscription = data + subscriptions + ((ulong)SubscriptionBytes * i);
            switch (subscription[8])
            {
                case TagClock:
                    if (Expiry(subscription, start, realtime) is not { } expiry)
                    {
                        return Errno(args, ErrnoInval);
                    }

                    earliest = Math.Min(earliest, expiry);
                    break;
                case TagFdRead or TagFdWrite:
                    var fd = *(uint*)(subscription + 16);
                    if (fd > 2)
                    {
                        // A volume's file or directory: WASI answers at once (ready, or EBADF), never sleeping.
                        return WasiBridge.Forward(bridge, caller, args, count, poll: true);
                    }

                    if ((fd == 0) != (subscription[8] == TagFdRead))
                    {
                        return Errno(args, ErrnoBadf); // stdin is not writable, stdout and stderr not readable
                    }

                    ready++;
                    break;
                default:
                    return Errno(args, ErrnoInval);
            }
        }

        if (ready == 0 && earliest > start && Sleep(earliest) is { } stopped)
        {
            return stopped;
        }

        // Sleeping gave no guest code a chance to run: the memory is where it was.
        var now = Stopwatch.GetTimestamp();
        var written = 0u;
        for (var i = 0u; i < subscriptionCount; i++)
        {
            var subscription = data + subscriptions + ((ulong)SubscriptionBytes * i);
            var tag = subscription[8];
            if (tag == TagClock && Expiry(subscription, start, realtime) > now)
            {
                continue;
            }

            if (events + ((ulong)EventBytes * (written + 1)) > size)
            {
                return Errno(args, ErrnoFault);
            }

            var e = data + events + ((ulong)EventBytes * written);
            new Span<byte>(e, (int)EventBytes).Clear();
            *(ulong*)e = *(ulong*)subscription; // userdata
            e[10] = tag; // the event type: clock, fd_read, fd_write (the error at 8 stays 0: success)
            if (tag != TagClock)
            {
                *(ulong*)(e + 16) = 1; // nbytes: at least one byte can be read or written without blocking
            }

            written++;
        }

        if (eventCount + 4UL > size)
        {
            return Errno(args, ErrnoFault);
        }

        *(uint*)(data + eventCount) = written;
        return Errno(args, 0);
    }

    /// <summary>
    /// When a clock subscription fires, as a Stopwatch timestamp (a relative timeout from <paramref name="start"/>, when
    /// the call began); null for an unknown clock or flag. A realtime deadline is turned into a wait from
    /// <paramref name="realtime"/>, read when the call began; a monotonic one counts from the store's WASI clock.
    /// </summary>
    private static long? Expiry(byte* subscription, long start, ulong realtime)
    {
        var clock = *(uint*)(subscription + 16);
        var timeout = *(ulong*)(subscription + 24);
        var flags = *(ushort*)(subscription + 40);
        if ((flags & ~AbsoluteTime) != 0 || (clock != ClockRealtime && clock != ClockMonotonic))
        {
            return null;
        }

        if ((flags & AbsoluteTime) == 0)
        {
            return After(start, timeout);
        }

        return clock == ClockMonotonic ? After(t_clockBase, timeout)
            : timeout <= realtime ? start
            : After(start, timeout - realtime);
    }

    /// <summary><paramref name="stamp"/> plus <paramref name="nanoseconds"/>, saturating far in the future.</summary>
    private static long After(long stamp, ulong nanoseconds)
    {
        var ticks = (UInt128)nanoseconds * (ulong)Stopwatch.Frequency / 1_000_000_000UL;
        var room = (ulong)(long.MaxValue - stamp);
        return ticks >= room ? long.MaxValue : stamp + (long)(ulong)ticks;
    }

    private static ulong RealtimeNanoseconds() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100UL;

    /// <summary>
    /// Sleeps until <paramref name="until"/> or the thread's deadline, whichever comes first; null when the sleep ended
    /// at <paramref name="until"/>, else the trap that stops the module (deadline, cancellation).
    /// </summary>
    private static nint? Sleep(long until)
    {
        var deadline = t_deadline;
        var watch = t_watch;
        var bounded = deadline != 0 && deadline < until;
        var wakeAt = bounded ? deadline : until;
        if (watch is not null)
        {
            if (!watch.Sleep(wakeAt))
            {
                watch.Stop(StopReason.Cancelled);
                return WasiBridge.Trap(Cancelled);
            }
        }
        else
        {
            for (var left = wakeAt - Stopwatch.GetTimestamp(); left > 0; left = wakeAt - Stopwatch.GetTimestamp())
            {
                Thread.Sleep(RunWatch.Milliseconds(left));
            }
        }

        if (!bounded)
        {
            return null;
        }

        if (watch is not null)
        {
            watch.Stop(StopReason.TimedOut);
            return WasiBridge.Trap(RunDeadline);
        }

        t_deadlineReached = true;
        return WasiBridge.Trap(InstantiationDeadline);
    }

    private static nint Errno(WasmtimeNative.ValRaw* args, int errno)
    {
        args[0].I32 = errno;
        return 0;
    }
}
