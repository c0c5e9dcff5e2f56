using Functions.Contracts;
using Functions.Data;

namespace Functions.ControlPlane.Apps;

/// <summary>
/// A route binding that passed every check, with defaults filled in and volumes resolved; its file mounts sorted by
/// guest path; its allowed origins normalised, duplicates collapsed.
/// </summary>
internal sealed record ValidatedRoute(
    string Route,
    string ModuleDigest,
    string Entrypoint,
    Dictionary<string, string> Environment,
    string? Argv,
    List<VolumeBinding> Volumes,
    RouteLimits Limits,
    IReadOnlyList<FileMount> Files,
    IReadOnlyList<string> AllowedHosts,
    int MaxOutboundConcurrency);
