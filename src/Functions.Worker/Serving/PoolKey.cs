using Functions.Contracts;

namespace Functions.Worker.Serving;

/// <summary>
/// What makes two routes share a pool: same app, module, entrypoint, limits and volumes. Environment and argv are
/// per-request inputs, so they do not split pools; a new release that keeps a route as it was keeps its warm pool.
/// The app is part of the key so that two apps binding the same module never share a pool (nor its failures).
/// </summary>
public sealed record PoolKey(string App, string ModuleDigest, string Entrypoint, RouteLimits Limits, string Volumes)
{
    public static PoolKey For(RouteBinding binding, string entrypoint) =>
        new(binding.App, binding.ModuleDigest, entrypoint, binding.Limits,
            string.Join('\n', binding.Volumes.OrderBy(v => v.GuestPath, StringComparer.Ordinal)
                .Select(v => $"{v.GuestPath}={v.HostPath}:{(v.Writable ? "rw" : "ro")}")));
}
