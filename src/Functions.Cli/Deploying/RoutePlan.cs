using Functions.Cli.Api;
using Functions.Cli.Files;
using Functions.Contracts.Api;

namespace Functions.Cli.Deploying;

/// <summary>
/// One route to deploy, as read from the command line, a manifest or a WAGI modules.toml: its module is a local
/// file still to upload (<see cref="ModulePath"/>), a module already on the control plane (<see cref="ModuleDigest"/>),
/// or one in an OCI registry for the control plane to pull (<see cref="ModuleReference"/>).
/// </summary>
internal sealed record RoutePlan
{
    public required string Route { get; init; }

    /// <summary>Absolute path of the module file to upload; null when <see cref="ModuleDigest"/> names it, or it could not be resolved.</summary>
    public string? ModulePath { get; init; }

    /// <summary>A module already uploaded, by digest.</summary>
    public string? ModuleDigest { get; init; }

    /// <summary>A module in an OCI registry (<c>oci://HOST/REPO:TAG</c>), which the control plane pulls.</summary>
    public string? ModuleReference { get; init; }

    public string? Entrypoint { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public string? Argv { get; init; }

    public IReadOnlyDictionary<string, VolumeRequest>? Volumes { get; init; }

    public LimitsRequest? Limits { get; init; }

    /// <summary>Origins the function may call over HTTP, as written; the control plane normalises them.</summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    public int? MaxOutboundConcurrency { get; init; }

    /// <summary>Guest path → the bundle mounted there (a local folder or files to pack, or a digest).</summary>
    public IReadOnlyDictionary<string, BundlePlan>? Files { get; init; }

    /// <summary>Where the route was declared, for messages: <c>routes[1]</c>, <c>[[module]] #2</c>, <c>--route</c>.</summary>
    public required string Origin { get; init; }
}
