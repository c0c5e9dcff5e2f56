using System.Security.Cryptography;
using System.Text;
using Functions.Cli.Tests.Support;
using Functions.Oci;
using Functions.Testing.Registry;

namespace Functions.Cli.Tests.Commands;

/// <summary><c>functions push</c> against a real registry (Debian's docker-registry).</summary>
public class PushCommandTests
{
    private const string User = "ci";
    private const string Password = "push-secret";

    [SkippableFact]
    public async Task Push_prints_the_manifest_digest_and_the_module_pulls_back_unchanged()
    {
        var registry = await RegistryServer.Shared();
        using var folder = new TempFolder();
        var (path, module) = WriteModule(folder);
        var reference = $"{registry.Address}/cli/push-{Guid.NewGuid().ToString("N")[..8]}:1.0";

        var text = await CliRunner.RunAsync("push", path, reference, "--insecure");
        var json = await CliRunner.RunAsync("push", path, reference, "--insecure", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        var digest = text.Out.Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Contains($"pull it as {reference[..reference.LastIndexOf(':')]}@{digest}", text.Error, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(digest, json.Json().GetProperty("manifestDigest").GetString());
        Assert.Equal(module.Length, json.Json().GetProperty("size").GetInt64());
        using var pulled = new MemoryStream();
        var client = new OciClient(new HttpClient(), new OciRegistrySettings { AllowInsecureLoopback = true });
        var result = await client.PullModuleAsync(OciReference.Parse(reference), pulled, 1 << 20, CancellationToken.None);
        Assert.Equal(module, pulled.ToArray());
        Assert.Equal(digest, result.ManifestDigest);
    }

    [SkippableFact]
    public async Task Push_refuses_plain_http_without_insecure_and_says_so()
    {
        var registry = await RegistryServer.Shared();
        using var folder = new TempFolder();
        var (path, _) = WriteModule(folder);

        var run = await CliRunner.RunAsync("push", path, $"{registry.Address}/cli/strict:1", "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--insecure", run.Error, StringComparison.Ordinal);
        var error = run.Json().GetProperty("error");
        Assert.Equal("registry", error.GetProperty("kind").GetString());
        Assert.Equal(nameof(OciErrorKind.InsecureNotAllowed), error.GetProperty("detail").GetString());
    }

    [SkippableFact]
    public async Task Push_takes_the_login_from_the_environment_and_refuses_a_wrong_one()
    {
        await using var registry = await RegistryServer.StartAsync(RegistryAuth.Htpasswd(User, Password));
        using var folder = new TempFolder();
        var (path, _) = WriteModule(folder);
        var reference = $"{registry.Address}/cli/login:1";

        var right = await Run(new() { ["FUNCTIONS_REGISTRY_USERNAME"] = User, ["FUNCTIONS_REGISTRY_PASSWORD"] = Password }, path, reference);
        var wrong = await Run(new() { ["FUNCTIONS_REGISTRY_USERNAME"] = User, ["FUNCTIONS_REGISTRY_PASSWORD"] = "nope" }, path, reference);
        var none = await Run([], path, reference);

        Assert.True(right.ExitCode == 0, right.ToString());
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("FUNCTIONS_REGISTRY_USERNAME", wrong.Error, StringComparison.Ordinal);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("asks for a login", none.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Push_takes_the_login_from_docker_config_json()
    {
        await using var registry = await RegistryServer.StartAsync(RegistryAuth.Htpasswd(User, Password));
        using var folder = new TempFolder();
        var (path, _) = WriteModule(folder);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        folder.Write("home/.docker/config.json", $"{{\"auths\": {{\"{registry.Address}\": {{\"auth\": \"{auth}\"}}}}}}");

        var run = await Run(new() { ["HOME"] = Path.Combine(folder.Path, "home") }, path, $"{registry.Address}/cli/docker-login:1");

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task Push_refuses_a_file_that_is_not_a_wasm_module()
    {
        using var folder = new TempFolder();
        var path = folder.Write("hello.txt", "hello");

        var run = await CliRunner.RunAsync("push", path, "127.0.0.1:1/cli/x:1", "--insecure");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not a WebAssembly module", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_refuses_a_reference_without_a_registry()
    {
        using var folder = new TempFolder();
        var (path, _) = WriteModule(folder);

        var run = await CliRunner.RunAsync("push", path, "hello:1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("names no registry", run.Error, StringComparison.Ordinal);
    }

    private static Task<CliRun> Run(Dictionary<string, string> environment, string path, string reference) =>
        CliRunner.RunAsync(environment, null, ["push", path, reference, "--insecure"]);

    private static (string Path, byte[] Bytes) WriteModule(TempFolder folder)
    {
        var bytes = RandomNumberGenerator.GetBytes(4_000);
        "\0asm\u0001\0\0\0"u8.CopyTo(bytes);
        var path = Path.Combine(folder.Path, "module.wasm");
        File.WriteAllBytes(path, bytes);
        return (path, bytes);
    }
}
