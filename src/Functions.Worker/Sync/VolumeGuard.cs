using Functions.Contracts;
using Functions.Runtime;

namespace Functions.Worker.Sync;

/// <summary>
/// A worker's own check of the host directories an app mounts, before it serves the app: the control plane checked
/// them against its volumes root when they were deployed, but the worker runs on its own machine, where the path may
/// since have become a symlink out of it. Each host path is resolved as the kernel will (every symlink followed) and
/// must stay under the worker's <see cref="Hosting.WorkerOptions.VolumesRoot"/>; without one, the worker mounts no
/// volume at all. A refused app fails (it keeps its last good release, or nothing) with a message saying why.
/// </summary>
internal static class VolumeGuard
{
    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first binding whose volume is not allowed here.</summary>
    public static void Check(IEnumerable<RouteBinding> bindings, string? volumesRoot)
    {
        string? root = null;
        foreach (var binding in bindings)
        {
            foreach (var volume in binding.Volumes)
            {
                if (string.IsNullOrWhiteSpace(volumesRoot))
                {
                    throw new InvalidOperationException(
                        $"{binding.Route}: volume {volume.GuestPath} maps host directory '{volume.HostPath}', but this worker mounts no " +
                        "volumes: its operator must set Worker:VolumesRoot to the directory under which volumes may be mapped.");
                }

                root ??= VolumePaths.Resolve(volumesRoot) ?? volumesRoot;
                var resolved = VolumePaths.Resolve(volume.HostPath);
                if (resolved is null || !VolumePaths.IsUnder(resolved, root))
                {
                    throw new InvalidOperationException(
                        $"{binding.Route}: volume {volume.GuestPath} maps host directory '{volume.HostPath}', which resolves on this worker " +
                        $"to '{resolved ?? "(a symlink loop)"}', outside its volumes root '{root}' (Worker:VolumesRoot; symlinks " +
                        "are followed): refused. Fix the directory on this machine, or deploy the app with a volume under the root.");
                }
            }
        }
    }
}
