using System.Diagnostics;
using Functions.Runtime.Native;
using Wasmtime;

namespace Functions.Runtime.Execution;

/// <summary>
/// Makes instances through the C API: a fresh store with the function's memory limit, a neutral WASI context, an
/// epoch deadline, then <c>wasmtime_instance_pre_instantiate</c> and the entrypoint's lookup.
/// </summary>
internal sealed unsafe class InstanceFactory(Engine engine, SlotCounter counter)
{
    private readonly nint _engine = WasmtimeNative.Pointer(engine);

    public SlotCounter Counter { get; } = counter;

    /// <summary>Slots that instances made ahead of demand leave to on-demand instantiation: a quarter.</summary>
    public int ReadyReserve => Counter.Capacity / 4;

    /// <summary>
    /// A ready instance, or null when every pooling-allocator slot is taken (the caller answers Busy). Throws
    /// <see cref="InstantiationException"/> when the module cannot be instantiated (its start section traps, its
    /// memory is over the limit) and <see cref="EntrypointMissingException"/> when the export is not a function.
    /// </summary>
    public PreparedInstance? TryCreate(FunctionPlan plan, int reserve = 0)
    {
        if (!Counter.TryAcquire(reserve))
        {
            return null;
        }

        var store = WasmtimeNative.StoreNew(_engine, 0, 0);
        if (store == 0)
        {
            Counter.Release();
            throw new InstantiationException($"{plan.Name}: Wasmtime could not create a store");
        }

        var prepared = new PreparedInstance(store, Counter);
        try
        {
            var context = prepared.Context;
            WasmtimeNative.StoreLimiter(store, plan.Settings.MemoryLimitBytes, -1, -1, -1, -1);

            // A WASI call on a store without a WASI context aborts the process, and a start section runs during
            // instantiation: give every store a neutral one (no args, env, files; empty stdin; stdout discarded).
            ThrowIfError(WasmtimeNative.ContextSetWasi(context, WasmtimeNative.WasiConfigNew()), plan);

            // With epoch interruption, a store without a deadline traps at once, instantiation included. The epoch
            // deadline stops a start section that runs too long, the bounded poll_oneoff one that sleeps too long.
            WasmtimeNative.ContextSetEpochDeadline(context, plan.InstantiationTicks);
            var now = Stopwatch.GetTimestamp();
            PollOneoff.EnterInstantiation(now + (long)(plan.InstantiationTimeout.TotalSeconds * Stopwatch.Frequency), now);
            nint error;
            WasmtimeNative.Instance instance;
            nint trap;
            try
            {
                error = WasmtimeNative.InstancePreInstantiate(plan.InstancePre.DangerousGetHandle(), context, out instance, out trap);
            }
            finally
            {
                PollOneoff.Exit();
            }

            GC.KeepAlive(plan.InstancePre);
            if (error != 0)
            {
                var message = WasmtimeNative.TakeErrorMessage(error);
                if (IsPoolExhausted(message))
                {
                    prepared.Dispose();
                    return null;
                }

                if (PollOneoff.InstantiationDeadlineReached)
                {
                    throw PastDeadline(plan, sleeping: true); // a host function's trap comes back as an error here
                }

                throw new InstantiationException($"{plan.Name}: instantiating the module failed: {FirstLine(message)}");
            }

            if (trap != 0)
            {
                var message = WasmtimeNative.TakeTrapMessage(trap, out var code);
                if (code == WasmtimeNative.TrapCodeInterrupt || PollOneoff.InstantiationDeadlineReached)
                {
                    throw PastDeadline(plan, sleeping: code != WasmtimeNative.TrapCodeInterrupt);
                }

                throw new InstantiationException($"{plan.Name}: the module trapped while it was instantiated: {FirstLine(message)}");
            }

            fixed (byte* name = plan.Entrypoint)
            {
                if (!WasmtimeNative.InstanceExportGet(context, instance, name, (nuint)plan.Entrypoint.Length, out var item)
                    || item.Kind != WasmtimeNative.ExternFunc)
                {
                    throw new EntrypointMissingException(plan.Module.Digest, plan.Settings.Entrypoint, plan.Module.Exports);
                }

                prepared.Entrypoint = item.Func;
            }

            return prepared;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    private static InstantiationException PastDeadline(FunctionPlan plan, bool sleeping) =>
        new($"{plan.Name}: the module's start section did not finish within {plan.InstantiationTimeout.TotalMilliseconds:F0} ms, " +
            "the instantiation deadline (the route's timeout, at most Runtime:InstantiationTimeout): it " +
            $"{(sleeping ? "sleeps" : "runs")} too long. Do that work in the entrypoint instead.")
        {
            TimedOut = true,
        };

    /// <summary>The pooling allocator refuses a new instance when all its slots are in use.</summary>
    private static bool IsPoolExhausted(string message) =>
        message.Contains("maximum concurrent", StringComparison.OrdinalIgnoreCase)
        || message.Contains("pooling allocator", StringComparison.OrdinalIgnoreCase);

    private static void ThrowIfError(nint error, FunctionPlan plan)
    {
        if (error != 0)
        {
            throw new InstantiationException($"{plan.Name}: {FirstLine(WasmtimeNative.TakeErrorMessage(error))}");
        }
    }

    internal static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}

/// <summary>A module could not be instantiated (a trapping start section, an initial memory over the limit, …).</summary>
internal sealed class InstantiationException(string message) : Exception(message)
{
    /// <summary>Its start section ran or slept past the instantiation deadline.</summary>
    public bool TimedOut { get; init; }
}
