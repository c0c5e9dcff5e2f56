using Functions.Contracts;

namespace Functions.Worker.Serving;

/// <summary>
/// What makes two routes share a pool: same module, entrypoint, limits and volumes. Environment and argv are
/// per-request inputs, so they do not split pools; a new generation that keeps a route as it was keeps its warm pool.
/// </summary>
public sealed record PoolKey(string ModuleDigest, string Entrypoint, RouteLimits Limits, string Volumes)
{
    public static PoolKey For(RouteBinding binding, string entrypoint) =>
        new(binding.ModuleDigest, entrypoint, binding.Limits,
            string.Join('\n', binding.Volumes.OrderBy(v => v.GuestPath, StringComparer.Ordinal)
                .Select(v => $"{v.GuestPath}={v.HostPath}:{(v.Writable ? "rw" : "ro")}")));
}
