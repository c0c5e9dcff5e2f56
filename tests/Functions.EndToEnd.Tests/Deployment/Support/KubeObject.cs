namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>One Kubernetes object of a rendering, as a plain tree, with where it came from.</summary>
internal sealed record KubeObject(Dictionary<string, object?> Node, string Source)
{
    public string ApiVersion => Node.StringAt("apiVersion") ?? "";

    public string Kind => Node.StringAt("kind") ?? "";

    public string Name => Node.StringAt("metadata", "name") ?? "";

    public string? Namespace => Node.StringAt("metadata", "namespace");

    /// <summary>The API group without version ("" for the core group), as kustomize matches ids.</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion.Split('/')[0] : "";

    public string Id => $"{Kind}/{Name}" + (Namespace is { } ns ? $" in {ns}" : "");

    public bool IsWorkload => Kind is "Deployment" or "StatefulSet" or "DaemonSet";

    /// <summary>The pod template of a workload (or the pod itself).</summary>
    public Dictionary<string, object?>? PodTemplate => Kind == "Pod" ? Node : Node.MapAt("spec", "template");

    public Dictionary<string, string> PodLabels => PodTemplate.StringsAt("metadata", "labels");

    public IEnumerable<Dictionary<string, object?>> Containers =>
        PodTemplate.MapsAt("spec", "initContainers").Concat(PodTemplate.MapsAt("spec", "containers"));

    public override string ToString() => Id;
}
