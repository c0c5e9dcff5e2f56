using Functions.Contracts;
using Functions.Runtime;

namespace Functions.Worker.Sync;

/// <summary>A route binding's outbound HTTP settings as the runtime takes them.</summary>
public static class OutboundBinding
{
    /// <summary>
    /// The binding's allowed origins (already normalised by the control plane) and concurrency; a binding from a
    /// control plane older than the settings (both null) allows no network, as before.
    /// </summary>
    public static OutboundHttpSettings Settings(RouteBinding binding) =>
        binding is { AllowedHosts: null or { Count: 0 }, MaxOutboundConcurrency: null }
            ? OutboundHttpSettings.None
            : new OutboundHttpSettings
            {
                AllowedHosts = binding.AllowedHosts ?? [],
                MaxConcurrency = binding.MaxOutboundConcurrency ?? OutboundHttpSettings.DefaultMaxConcurrency,
            };
}
