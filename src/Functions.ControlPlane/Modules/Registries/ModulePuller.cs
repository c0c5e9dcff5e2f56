using Functions.ControlPlane.Files;
using Functions.ControlPlane.Hosting;
using Functions.Oci;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Modules.Registries;

/// <summary>
/// Pulls a module from an OCI registry into a scratch file (the registry's answer is streamed, hashed and counted,
/// never held whole), then hands the verified bytes to <see cref="ModuleStore"/>, which checks them exactly as an
/// upload is checked and records where they came from. Registry failures are <see cref="OciException"/>s.
/// </summary>
internal sealed class ModulePuller(
    IHttpClientFactory clients,
    IOptions<OciRegistrySettings> registries,
    IOptions<ControlPlaneOptions> options,
    ModuleStore store,
    ILogger<ModulePuller> logger)
{
    /// <summary>The named <see cref="HttpClient"/> every registry is spoken to with.</summary>
    public const string HttpClientName = "oci-registries";

    public async Task<ModuleAddOutcome> PullAsync(OciReference reference, CancellationToken cancel)
    {
        var limit = options.Value.MaxModuleBytes;
        var scratch = options.Value.Files.Scratch;
        Directory.CreateDirectory(scratch);
        await using var file = ScratchFile.Create(Path.Combine(scratch, $"functions-pull-{Guid.NewGuid():N}.wasm"));

        var client = new OciClient(clients.CreateClient(HttpClientName), registries.Value);
        var pulled = await client.PullModuleAsync(reference, file, limit, cancel);
        if (file.Length > limit)
        {
            throw new OciException(OciErrorKind.TooLarge, reference.Registry,
                $"The module's layer is {file.Length} bytes; modules may be at most {limit} bytes.");
        }

        // Digest and size were verified as the layer streamed in; now the bytes go through the upload's checks.
        var bytes = new byte[file.Length];
        file.Position = 0;
        await file.ReadExactlyAsync(bytes, cancel);
        var outcome = await store.AddAsync(bytes, new PulledFrom(reference.ToString(), pulled.ManifestDigest), cancel);
        if (outcome is not ModuleAddOutcome.Invalid)
        {
            Log.ModulePulled(logger, reference.ToString(), pulled.ManifestDigest, pulled.LayerDigest, pulled.Size);
        }

        return outcome;
    }
}
