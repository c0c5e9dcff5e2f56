using Functions.Contracts;
using Functions.Worker.Sync;

namespace Functions.Worker.Serving;

/// <summary>
/// What makes two routes share a pool: same app, bound route, module, entrypoint, limits, mounts (volumes and file
/// bundles: a pool's instances see the folders its settings named when it was made) and outbound HTTP settings (the
/// origins a pool's instances may call are the ones its settings named). Environment and
/// argv are per-request inputs, so they do not split pools; a new release that keeps a route as it was keeps its warm
/// pool. The app and the route are part of the key so that a pool's concurrency limit is one route's: two apps, or two
/// routes of one app, binding the same module never share a <c>maxConcurrency</c> (nor its failures). Sub-routes a
/// module's <c>_routes</c> declares belong to their binding's route, and split by entrypoint.
/// </summary>
public sealed record PoolKey(
    string App, string Route, string ModuleDigest, string Entrypoint, RouteLimits Limits, string Volumes, string Outbound)
{
    public static PoolKey For(RouteBinding binding, string entrypoint) =>
        new(binding.App, binding.Route, binding.ModuleDigest, entrypoint, binding.Limits, Mounts(binding), OutboundBinding.Key(binding));

    private static string Mounts(RouteBinding binding) =>
        string.Join('\n', binding.Volumes.OrderBy(v => v.GuestPath, StringComparer.Ordinal)
            .Select(v => $"{v.GuestPath}={v.HostPath}:{(v.Writable ? "rw" : "ro")}")
            .Concat((binding.Files ?? []).OrderBy(f => f.GuestPath, StringComparer.Ordinal).Select(f => $"{f.GuestPath}={f.Digest}:files")));
}
