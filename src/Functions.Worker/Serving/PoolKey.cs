using Functions.Contracts;
using Functions.Runtime;

namespace Functions.Worker.Serving;

/// <summary>
/// What makes two routes share a pool: same app, bound route, module, entrypoint, limits and mounts (volumes and file
/// bundles: a pool's instances see the folders its settings named when it was made). Environment and
/// argv are per-request inputs, so they do not split pools; a new release that keeps a route as it was keeps its warm
/// pool. The app and the route are part of the key so that a pool's concurrency limit is one route's: two apps, or two
/// routes of one app, binding the same module never share a <c>maxConcurrency</c> (nor its failures). Sub-routes a
/// module's <c>_routes</c> declares belong to their binding's route, and split by entrypoint. The outbound HTTP policy
/// (allowed hosts, outbound concurrency) is part of the key too: a pool's instances keep the settings it was made with,
/// so a release that changes the allow list must get a new pool for the change to take effect.
/// </summary>
public sealed record PoolKey(string App, string Route, string ModuleDigest, string Entrypoint, RouteLimits Limits, string Volumes,
    string Outbound = "")
{
    public static PoolKey For(RouteBinding binding, string entrypoint, OutboundHttpSettings? outbound = null) =>
        new(binding.App, binding.Route, binding.ModuleDigest, entrypoint, binding.Limits,
            string.Join('\n', binding.Volumes.OrderBy(v => v.GuestPath, StringComparer.Ordinal)
                .Select(v => $"{v.GuestPath}={v.HostPath}:{(v.Writable ? "rw" : "ro")}")
                .Concat((binding.Files ?? []).OrderBy(f => f.GuestPath, StringComparer.Ordinal).Select(f => $"{f.GuestPath}={f.Digest}:files"))),
            outbound is null ? "" : $"{outbound.MaxConcurrency} {string.Join(' ', outbound.AllowedHosts.Order(StringComparer.Ordinal))}");
}
