using Functions.ControlPlane.Tests.Support;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Apps;

/// <summary>
/// A control plane with a small module limit and a volumes root holding a directory, a file and a symlink that
/// leads out; three modules uploaded and an app "owner" serving <c>/taken</c>.
/// </summary>
public sealed class ValidationApp : ControlPlaneApp
{
    public const long MaxModuleBytes = 256 * 1024;

    public string VolumesRoot { get; } = Directory.CreateTempSubdirectory("functions-volumes-").FullName;

    public string Hello { get; private set; } = "";

    public string NoEntry { get; private set; } = "";

    public string RunAndAdd { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(VolumesRoot, "site"));
        File.WriteAllText(Path.Combine(VolumesRoot, "file.txt"), "not a directory");
        File.CreateSymbolicLink(Path.Combine(VolumesRoot, "escape"), "/etc");
        Settings["Functions:VolumesRoot"] = VolumesRoot;
        Settings["Functions:MaxModuleBytes"] = MaxModuleBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await base.InitializeAsync();
        Hello = await UploadAsync(Fixtures.Bytes("hello-c"));
        NoEntry = await UploadAsync(Fixtures.Bytes("noentry"));
        RunAndAdd = await UploadAsync(TestModules.RunAndAdd);
        await DeployAsync("owner", new { routes = new[] { new { route = "/taken", module = Hello } } });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(VolumesRoot, recursive: true);
        GC.SuppressFinalize(this);
    }
}
