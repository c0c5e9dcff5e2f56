namespace Functions.EndToEnd.Tests.Deployment.Support;

/// <summary>
/// A small kustomize, enough for deploy/k8s, so the manifest tests run where kubectl is absent: <c>resources</c>
/// (files and kustomization folders), <c>patches</c> by path (strategic merge: maps merge, <c>null</c> deletes a key,
/// lists of named maps merge by name, other lists are replaced; <c>$patch: delete</c> removes the object),
/// <c>images</c> and <c>namespace</c>. Anything else is refused with a message, rather than silently ignored.
/// Where kubectl exists, <c>KustomizeRendererTests</c> checks this against <c>kubectl kustomize</c>.
/// </summary>
internal static class Kustomize
{
    private static readonly HashSet<string> SupportedFields =
        ["apiVersion", "kind", "resources", "patches", "images", "namespace"];

    private static readonly HashSet<string> ClusterScopedKinds =
    [
        "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
        "StorageClass", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    ];

    private static readonly string[] KustomizationNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    public static string KustomizationFile(string directory) =>
        KustomizationNames
            .Select(name => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{RepoFile.Relative(directory)} has no kustomization.yaml.");

    /// <summary>The files a kustomization names (resources that are files, and patches), as full paths.</summary>
    public static IEnumerable<string> NamedPaths(string directory, out Dictionary<string, object?> kustomization)
    {
        kustomization = YamlFile.Load(KustomizationFile(directory));
        return kustomization.ListAt("resources").OfType<string>()
            .Concat(kustomization.MapsAt("patches").Select(patch => patch.StringAt("path")).OfType<string>())
            .Select(entry => Path.GetFullPath(Path.Combine(directory, entry)))
            .ToList();
    }

    public static IReadOnlyList<KubeObject> Build(string directory)
    {
        var kustomizationFile = KustomizationFile(directory);
        var where = RepoFile.Relative(kustomizationFile);
        var kustomization = YamlFile.Load(kustomizationFile);
        foreach (var field in kustomization.Keys.Where(field => !SupportedFields.Contains(field)))
        {
            throw new NotSupportedException(
                $"{where}: '{field}' is not implemented by the tests' kustomize (Deployment/Support/Kustomize.cs); " +
                "implement it there, or do without it.");
        }

        var objects = new List<KubeObject>();
        foreach (var entry in kustomization.ListAt("resources").OfType<string>())
        {
            var path = Path.GetFullPath(Path.Combine(directory, entry));
            if (Directory.Exists(path))
            {
                objects.AddRange(Build(path));
            }
            else if (File.Exists(path))
            {
                objects.AddRange(YamlFile.LoadDocuments(path).Select(node => new KubeObject(node, RepoFile.Relative(path))));
            }
            else
            {
                throw new InvalidOperationException($"{where}: resource '{entry}' does not exist.");
            }

            var duplicate = objects.GroupBy(IdentityOf).FirstOrDefault(group => group.Count() > 1);
            if (duplicate is not null)
            {
                throw new InvalidOperationException($"{where}: {duplicate.First().Id} is defined twice.");
            }
        }

        foreach (var patch in kustomization.MapsAt("patches"))
        {
            ApplyPatch(objects, patch, directory, where);
        }

        foreach (var image in kustomization.MapsAt("images"))
        {
            SetImages(objects, image);
        }

        if (kustomization.StringAt("namespace") is { } ns)
        {
            foreach (var item in objects.Where(item => !ClusterScopedKinds.Contains(item.Kind)))
            {
                (item.Node["metadata"] as Dictionary<string, object?>)!["namespace"] = ns;
            }
        }

        return objects;
    }

    private static string IdentityOf(KubeObject item) => $"{item.Group}|{item.Kind}|{item.Namespace}|{item.Name}";

    private static void ApplyPatch(List<KubeObject> objects, Dictionary<string, object?> entry, string directory, string where)
    {
        if (entry.Keys.Any(key => key != "path") || entry.StringAt("path") is not { } relative)
        {
            throw new NotSupportedException(
                $"{where}: only patches given by 'path' are implemented by the tests' kustomize (Kustomize.cs).");
        }

        var path = Path.Combine(directory, relative);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{where}: patch '{relative}' does not exist.");
        }

        // kustomize (v5.5) crashes on a file of several '$patch: delete' documents: one patch per file.
        if (YamlFile.LoadDocuments(path) is not [var patch])
        {
            throw new InvalidOperationException($"{where}: patch '{relative}' must hold exactly one document.");
        }

        var target = new KubeObject(patch, relative);
        var matches = objects.Where(item => item.Kind == target.Kind && item.Name == target.Name && item.Group == target.Group
            && (target.Namespace is null || item.Namespace == target.Namespace)).ToList();
        if (matches is not [var match])
        {
            throw new InvalidOperationException($"{where}: patch '{relative}' matches {matches.Count} objects ({target.Id}), not one.");
        }

        if (patch.StringAt("$patch") == "delete")
        {
            objects.Remove(match);
            return;
        }

        Merge(match.Node, patch);
    }

    /// <summary>Strategic merge, as far as deploy/k8s needs it (see the class summary).</summary>
    public static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> patch)
    {
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith('$'))
            {
                throw new NotSupportedException($"The tests' kustomize does not implement the directive '{key}' inside an object.");
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is Dictionary<string, object?> patchMap && target.GetValueOrDefault(key) is Dictionary<string, object?> targetMap)
            {
                Merge(targetMap, patchMap);
            }
            else if (value is List<object?> patchList && target.GetValueOrDefault(key) is List<object?> targetList
                && IsNamedList(patchList) && IsNamedList(targetList))
            {
                foreach (var item in patchList.Cast<Dictionary<string, object?>>())
                {
                    var existing = targetList.Cast<Dictionary<string, object?>>().FirstOrDefault(old => Equals(old["name"], item["name"]));
                    if (existing is null)
                    {
                        targetList.Add(Tree.DeepCopy(item));
                    }
                    else
                    {
                        Merge(existing, item);
                    }
                }
            }
            else
            {
                target[key] = Tree.DeepCopy(value);
            }
        }
    }

    private static bool IsNamedList(List<object?> list) =>
        list.All(item => item is Dictionary<string, object?> map && map.GetValueOrDefault("name") is string);

    private static void SetImages(List<KubeObject> objects, Dictionary<string, object?> image)
    {
        var name = image.StringAt("name");
        foreach (var container in objects.SelectMany(item => item.Containers))
        {
            if (container.StringAt("image") is not { } current)
            {
                continue;
            }

            var reference = ImageReference.Parse(current);
            if (reference.Name != name)
            {
                continue;
            }

            container["image"] = (reference with
            {
                Name = image.StringAt("newName") ?? reference.Name,
                Tag = image.StringAt("digest") is null ? image.StringAt("newTag") ?? reference.Tag : null,
                Digest = image.StringAt("digest") ?? (image.StringAt("newTag") is null ? reference.Digest : null),
            }).ToString();
        }
    }
}

/// <summary>An image reference: name (with registry and port), tag, digest.</summary>
internal sealed record ImageReference(string Name, string? Tag, string? Digest)
{
    public static ImageReference Parse(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digest = at >= 0 ? image[(at + 1)..] : null;
        var rest = at >= 0 ? image[..at] : image;
        var colon = rest.LastIndexOf(':');
        return colon > rest.LastIndexOf('/') ? new(rest[..colon], rest[(colon + 1)..], digest) : new(rest, null, digest);
    }

    public override string ToString() => Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
}
