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

    /// <summary>The settings as one string for <see cref="Serving.PoolKey"/>: a pool's instances keep the origins they
    /// were made with, so a release that changes them needs a new pool.</summary>
    public static string Key(RouteBinding binding) =>
        $"{binding.MaxOutboundConcurrency ?? OutboundHttpSettings.DefaultMaxConcurrency} {string.Join(' ', binding.AllowedHosts ?? [])}";
}
