using System.Text;
using Functions.Runtime.Modules;

namespace Functions.Runtime.Execution;

/// <summary>
/// Everything about a function that does not change between invocations, prepared once: the linked module, the
/// entrypoint's and volumes' C strings, the limits and the epoch deadline that covers instantiation.
/// </summary>
internal sealed class FunctionPlan
{
    public FunctionPlan(CompiledModule module, FunctionSettings settings, TimeSpan epochTick, TimeSpan instantiationTimeout)
    {
        Module = module;
        Settings = settings;
        InstancePre = module.InstancePre;
        Entrypoint = Encoding.UTF8.GetBytes(settings.Entrypoint);
        Volumes = [.. settings.Volumes.Select(v => (NullTerminated(v.HostPath), NullTerminated(v.GuestPath), v.Writable))];
        InstantiationTimeout = settings.Timeout < instantiationTimeout ? settings.Timeout : instantiationTimeout;
        InstantiationTicks = (ulong)Math.Max(1, Math.Ceiling(InstantiationTimeout / epochTick) + 1);
    }

    public CompiledModule Module { get; }

    public FunctionSettings Settings { get; }

    public InstancePreHandle InstancePre { get; }

    public byte[] Entrypoint { get; }

    public IReadOnlyList<(byte[] Host, byte[] Guest, bool Writable)> Volumes { get; }

    /// <summary>
    /// How long a start section may run or sleep during instantiation: the function's timeout, at most
    /// <see cref="RuntimeOptions.InstantiationTimeout"/>.
    /// </summary>
    public TimeSpan InstantiationTimeout { get; }

    /// <summary>Epoch ticks a start section may run during instantiation: <see cref="InstantiationTimeout"/>.</summary>
    public ulong InstantiationTicks { get; }

    public string Name => Settings.Name;

    /// <summary>The route's outbound calls in flight (<see cref="OutboundHttpSettings.MaxConcurrency"/>), made at the first call.</summary>
    public SemaphoreSlim OutboundSlots
    {
        get
        {
            var slots = Volatile.Read(ref _outboundSlots);
            if (slots is null)
            {
                var made = new SemaphoreSlim(Settings.Outbound.MaxConcurrency, Settings.Outbound.MaxConcurrency);
                slots = Interlocked.CompareExchange(ref _outboundSlots, made, null) ?? made;
            }

            return slots;
        }
    }

    private SemaphoreSlim? _outboundSlots;

    private static byte[] NullTerminated(string text) => Encoding.UTF8.GetBytes(text + "\0");
}
