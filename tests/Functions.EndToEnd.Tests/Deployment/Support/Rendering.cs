using System.Collections.Concurrent;
using System.Text;

namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>The objects one kustomization under deploy/k8s renders to, with the look-ups the tests need.</summary>
internal sealed class Rendering(string target, IReadOnlyList<KubeObject> objects)
{
    public const string Root = "deploy/k8s";

    private static readonly ConcurrentDictionary<string, Rendering> Cache = new(StringComparer.Ordinal);

    /// <summary>The kustomizations a user applies: the base and each overlay.</summary>
    public static TheoryData<string> Targets => ["base", "overlays/dev"];

    public string Target { get; } = target;

    public IReadOnlyList<KubeObject> Objects { get; } = objects;

    public static Rendering Of(string target) =>
        Cache.GetOrAdd(target, name => new Rendering(name, Kustomize.Build(RepoFile.Full($"{Root}/{name}"))));

    public IEnumerable<KubeObject> OfKind(string kind) => Objects.Where(item => item.Kind == kind);

    public IEnumerable<KubeObject> Workloads => Objects.Where(item => item.IsWorkload);

    public KubeObject? Find(string kind, string name) => Objects.FirstOrDefault(item => item.Kind == kind && item.Name == name);

    /// <summary>A ConfigMap's data, or a Secret's stringData plus its base64 data decoded; null when there is no such object.</summary>
    public IReadOnlyDictionary<string, string>? Data(string kind, string name)
    {
        if (Find(kind, name) is not { } found)
        {
            return null;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in found.Node.StringsAt("data"))
        {
            data[key] = kind == "Secret" ? Encoding.UTF8.GetString(Convert.FromBase64String(value)) : value;
        }

        foreach (var (key, value) in found.Node.StringsAt("stringData"))
        {
            data[key] = value;
        }

        return data;
    }

    /// <summary>Workloads whose pods carry every label of the selector.</summary>
    public IEnumerable<KubeObject> WorkloadsSelectedBy(IReadOnlyDictionary<string, string> selector) =>
        selector.Count == 0 ? [] : Workloads.Where(workload => selector.All(label =>
            workload.PodLabels.TryGetValue(label.Key, out var value) && value == label.Value));

    /// <summary>
    /// A container's environment as the kubelet builds it: envFrom first, then env (later wins), <c>$(VAR)</c>
    /// expanded from what came before, key references resolved, fieldRefs shown as <c>&lt;fieldPath&gt;</c>.
    /// Unresolvable references are left out (another test names them).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment(Dictionary<string, object?> container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.MapsAt("envFrom"))
        {
            var prefix = source.StringAt("prefix") ?? "";
            var data = source.StringAt("configMapRef", "name") is { } configMap ? Data("ConfigMap", configMap)
                : source.StringAt("secretRef", "name") is { } secret ? Data("Secret", secret)
                : null;
            foreach (var (key, value) in data ?? new Dictionary<string, string>())
            {
                environment[prefix + key] = value;
            }
        }

        foreach (var variable in container.MapsAt("env"))
        {
            var name = variable.StringAt("name")!;
            string? value = variable.StringAt("value") is { } literal ? Expand(literal, environment)
                : variable.StringAt("valueFrom", "fieldRef", "fieldPath") is { } field ? $"<{field}>"
                : variable.StringAt("valueFrom", "resourceFieldRef", "resource") is { } resource ? $"<{resource}>"
                : variable.MapAt("valueFrom", "secretKeyRef") is { } secretKey ? Key("Secret", secretKey)
                : variable.MapAt("valueFrom", "configMapKeyRef") is { } configKey ? Key("ConfigMap", configKey)
                : "";
            if (value is not null)
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    /// <summary>The Service a host name inside the cluster names (<c>svc</c>, <c>svc.ns</c>, <c>svc.ns.svc.cluster.local</c>).</summary>
    public KubeObject? ServiceForHost(string host) => Find("Service", host.Split('.')[0]);

    private string? Key(string kind, Dictionary<string, object?> reference) =>
        Data(kind, reference.StringAt("name") ?? "") is { } data && data.TryGetValue(reference.StringAt("key") ?? "", out var value)
            ? value
            : null;

    private static string Expand(string value, Dictionary<string, string> defined)
    {
        foreach (var (name, replacement) in defined)
        {
            value = value.Replace($"$({name})", replacement, StringComparison.Ordinal);
        }

        return value;
    }

    public override string ToString() => Target;
}
