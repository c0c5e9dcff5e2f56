using System.Diagnostics;
using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>
/// The tests' own kustomize (Support/Kustomize.cs) stands in for kubectl where it is absent; these check that it
/// renders what kubectl would, and that it refuses what it does not implement rather than ignoring it.
/// </summary>
public sealed class KustomizeRendererTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("functions-kustomize-").FullName;

    public static TheoryData<string> Targets => Rendering.Targets;

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public void The_tests_renderer_agrees_with_kubectl_kustomize(string target)
    {
        var kubectl = FindOnPath("kubectl");
        Skip.If(kubectl is null, "kubectl is not installed: the comparison with `kubectl kustomize` is skipped (the other manifest tests still run).");

        var info = new ProcessStartInfo(kubectl!, ["kustomize", RepoFile.Full($"{Rendering.Root}/{target}")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {target} failed: {error.Result}");

        var expected = YamlFile.ParseDocuments(output.Result).Select(node => new KubeObject(node, "kubectl")).ToDictionary(Key);
        var actual = Kustomize.Build(RepoFile.Full($"{Rendering.Root}/{target}")).ToDictionary(Key);

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, entry => Assert.True(Tree.DeepEquals(entry.Value.Node, actual[entry.Key].Node),
            $"{entry.Key} differs between kubectl kustomize and the tests' renderer."));
    }

    [Fact]
    public void A_patch_merges_maps_removes_null_keys_merges_named_lists_and_replaces_other_lists()
    {
        var target = Parse("""
            metadata: {name: w, labels: {a: "1", b: "2"}}
            spec:
              containers:
                - {name: c, image: x, args: [one, two]}
                - {name: d, image: y}
            """);
        var patch = Parse("""
            metadata: {labels: {b: null, c: "3"}}
            spec:
              containers:
                - {name: c, args: [three]}
                - {name: e, image: z}
            """);

        Kustomize.Merge(target, patch);

        Assert.True(Tree.DeepEquals(Parse("""
            metadata: {name: w, labels: {a: "1", c: "3"}}
            spec:
              containers:
                - {name: c, image: x, args: [three]}
                - {name: d, image: y}
                - {name: e, image: z}
            """), target));
    }

    [Theory]
    [InlineData("configMapGenerator:\n  - name: x\n    literals: [a=b]\n", "configMapGenerator")]
    [InlineData("patches:\n  - target: {kind: Secret}\n    patch: '[]'\n", "only patches given by 'path'")]
    public void The_renderer_refuses_kustomize_features_it_does_not_implement(string extra, string message)
    {
        File.WriteAllText(Path.Combine(scratch, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + extra);

        var error = Assert.Throws<NotSupportedException>(() => Kustomize.Build(scratch));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_renderer_sets_image_tags_and_the_namespace_and_deletes_on_request()
    {
        File.WriteAllText(Path.Combine(scratch, "kustomization.yaml"), """
            kind: Kustomization
            namespace: team
            resources: [objects.yaml]
            patches: [{path: delete.yaml}]
            images: [{name: example/app, newTag: "2"}]
            """);
        File.WriteAllText(Path.Combine(scratch, "objects.yaml"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app}
            spec: {template: {spec: {containers: [{name: app, image: "example/app:1"}, {name: other, image: "example/app-other:1"}]}}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: team}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: gone}
            """);
        File.WriteAllText(Path.Combine(scratch, "delete.yaml"), "$patch: delete\napiVersion: v1\nkind: Service\nmetadata: {name: gone}\n");

        var objects = Kustomize.Build(scratch);

        Assert.Equal(["Deployment/app in team", "Namespace/team"], objects.Select(item => item.Id).Order());
        Assert.Equal(["example/app:2", "example/app-other:1"], objects[0].Containers.Select(container => container.StringAt("image")));
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static Dictionary<string, object?> Parse(string yaml) => Assert.Single(YamlFile.ParseDocuments(yaml));

    private static string Key(KubeObject item) => $"{item.ApiVersion} {item.Id}";

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
