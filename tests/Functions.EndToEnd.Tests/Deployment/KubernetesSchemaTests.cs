using System.Diagnostics;
using Functions.EndToEnd.Tests.Deployment.Support;

namespace Functions.EndToEnd.Tests.Deployment;

/// <summary>
/// Every kustomization under deploy/k8s, rendered by <c>kubectl kustomize</c>, validates offline against the
/// Kubernetes API types (deploy/k8s/validate/check.sh), and a typo in a field fails the check.
/// </summary>
public sealed class KubernetesSchemaTests : IDisposable
{
    private const int MissingTools = 3;
    private readonly string scratch = Directory.CreateTempSubdirectory("functions-k8s-schema-").FullName;

    public static TheoryData<string> Kustomizations => new(
        Directory.EnumerateFiles(RepoFile.Full(Rendering.Root), "kustomization.yaml", SearchOption.AllDirectories)
            .Where(file => !file.Contains("node_modules", StringComparison.Ordinal))
            .Select(file => RepoFile.Relative(Path.GetDirectoryName(file)!))
            .Order(StringComparer.Ordinal));

    [SkippableTheory]
    [MemberData(nameof(Kustomizations))]
    public void Every_kustomization_renders_and_validates_against_the_Kubernetes_schemas(string kustomization)
    {
        var (status, output) = Check(RepoFile.Full(kustomization));

        Assert.True(status == 0, $"deploy/k8s/validate/check.sh {kustomization} failed ({status}):\n{output}");
        Assert.Contains(" 0 errors", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_typo_in_a_field_fails_the_check_naming_the_object_and_the_field()
    {
        var copy = Path.Combine(scratch, "k8s");
        CopyDirectory(RepoFile.Full(Rendering.Root), copy);
        var deployment = Path.Combine(copy, "base", "worker-deployment.yaml");
        var text = File.ReadAllText(deployment);
        Assert.Contains("containerPort:", text, StringComparison.Ordinal);
        File.WriteAllText(deployment, text.Replace("containerPort:", "containerPortt:", StringComparison.Ordinal));

        var (status, output) = Check(Path.Combine(copy, "base"));

        Assert.Equal(1, status);
        Assert.Contains("Deployment/functions-worker", output, StringComparison.Ordinal);
        Assert.Contains("containerPortt", output, StringComparison.Ordinal);
    }

    private static (int Status, string Output) Check(string directory)
    {
        var info = new ProcessStartInfo(RepoFile.Full("deploy/k8s/validate/check.sh"), [directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Skip.If(process.ExitCode == MissingTools, $"the offline Kubernetes check cannot run here: {error.Result.Trim()}");
        return (process.ExitCode, output.Result + error.Result);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
