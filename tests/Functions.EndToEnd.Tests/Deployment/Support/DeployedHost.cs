namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>
/// One program this repository deploys, and where each deployment file carries it. The table every check of
/// "each host" runs over.
/// </summary>
internal sealed record DeployedHost(
    string Name,
    string ProjectFile,
    string Dockerfile,
    string RuntimeImage,
    bool IsServer,
    IReadOnlyList<string> ComposeServices,
    string? KubernetesDeployment)
{
    public static readonly DeployedHost ControlPlane = new(
        "control plane", "src/Functions.ControlPlane/Functions.ControlPlane.csproj", "deploy/docker/controlplane.Dockerfile",
        "mcr.microsoft.com/dotnet/aspnet:10.0", IsServer: true, ["controlplane"], "functions-controlplane");

    public static readonly DeployedHost Worker = new(
        "worker", "src/Functions.Worker/Functions.Worker.csproj", "deploy/docker/worker.Dockerfile",
        "mcr.microsoft.com/dotnet/aspnet:10.0", IsServer: true, ["worker-1", "worker-2"], "functions-worker")
    {
        ManagementPort = "9090",
    };

    public static readonly DeployedHost Cli = new(
        "CLI", "src/Functions.Cli/Functions.Cli.csproj", "deploy/docker/cli.Dockerfile",
        "mcr.microsoft.com/dotnet/runtime:10.0", IsServer: false, ["cli"], KubernetesDeployment: null)
    {
        // A registry login for `functions push`: unset means anonymous (or Docker's config.json), so a deployment
        // passes them through when given and need not set them.
        OptionalVariables = new HashSet<string>(["FUNCTIONS_REGISTRY_USERNAME", "FUNCTIONS_REGISTRY_PASSWORD"], StringComparer.Ordinal),
    };

    public static readonly IReadOnlyList<DeployedHost> All = [ControlPlane, Worker, Cli];

    /// <summary>
    /// The port a server answers its health (and a worker its metrics) on when that is not the port it serves on: a
    /// worker's every path on its serving port is a function's.
    /// </summary>
    public string? ManagementPort { get; init; }

    /// <summary>FUNCTIONS_ variables the host reads but works without: a deployment may leave them empty.</summary>
    public IReadOnlySet<string> OptionalVariables { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    private readonly Lazy<HostContract> contract = new(() => HostContract.Scan(ProjectFile));

    public static TheoryData<string> Names => [.. All.Select(host => host.Name)];

    public static TheoryData<string> ServerNames => [.. All.Where(host => host.IsServer).Select(host => host.Name)];

    public static TheoryData<string> KubernetesNames => [.. All.Where(host => host.KubernetesDeployment is not null).Select(host => host.Name)];

    /// <summary>What the host's code reads, scanned once.</summary>
    public HostContract Contract => contract.Value;

    public static DeployedHost Named(string name) => All.Single(host => host.Name == name);

    public override string ToString() => Name;
}
