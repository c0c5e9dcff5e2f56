using System.Text.RegularExpressions;
using Functions.Cli.Api;
using Functions.Cli.Files;
using Functions.Cli.Output;
using Functions.Contracts;
using Functions.Contracts.Api;

namespace Functions.Cli.Deploying;

/// <summary>
/// Deploys planned routes as one release: uploads each distinct module file once (skipping files the control plane
/// already has, by digest), then puts the application. Validation errors come back naming where each route was
/// declared (e.g. <c>routes[1] ([[module]] #2, route '/ep1').entrypoint</c>).
/// </summary>
internal sealed partial class Deployer(ApiClient api, CliOutput output)
{
    public async Task<DeployResult> DeployAsync(string app, IReadOnlyList<RoutePlan> routes, CancellationToken cancel)
    {
        // Pack every bundle first: a folder that cannot be packed stops the deploy before anything is sent.
        var plans = routes.SelectMany(r => r.Files?.Values ?? []).Where(p => p.Digest is null)
            .DistinctBy(p => p.Key, StringComparer.Ordinal).ToList();
        var packed = new Dictionary<string, PackedBundle>(StringComparer.Ordinal);
        try
        {
            foreach (var plan in plans)
            {
                packed[plan.Key] = await BundlePacker.PackAsync(plan, cancel);
            }

            var uploads = new Dictionary<string, ModuleUpload>(StringComparer.Ordinal);
            foreach (var path in routes.Select(r => r.ModulePath).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                uploads[path] = await EnsureUploadedAsync(path, cancel);
            }

            var pulls = new Dictionary<string, ModulePull>(StringComparer.Ordinal);
            foreach (var reference in routes.Select(r => r.ModuleReference).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                pulls[reference] = await PullAsync(reference, cancel);
            }

            var bundles = new Dictionary<string, FileUpload>(StringComparer.Ordinal);
            foreach (var plan in plans)
            {
                bundles[plan.Key] = await EnsureBundleUploadedAsync(plan.Description, packed[plan.Key], cancel);
            }

            return await PutAsync(app, routes, uploads, pulls, bundles, cancel);
        }
        finally
        {
            foreach (var bundle in packed.Values)
            {
                bundle.Dispose();
            }
        }
    }

    private async Task<DeployResult> PutAsync(
        string app,
        IReadOnlyList<RoutePlan> routes,
        Dictionary<string, ModuleUpload> uploads,
        Dictionary<string, ModulePull> pulls,
        Dictionary<string, FileUpload> bundles,
        CancellationToken cancel)
    {
        // A pulled module is deployed by the digest it was pulled as: moving the tag later changes nothing here.
        var requests = routes.Select(r => new RouteRequest
        {
            Route = r.Route,
            Module = r.ModulePath is { } path ? uploads[path].Digest
                : r.ModuleReference is { } reference ? pulls[reference].Digest
                : r.ModuleDigest ?? throw new InvalidOperationException($"{r.Origin} has neither a module file nor a digest."),
            Entrypoint = r.Entrypoint,
            Environment = r.Environment,
            Argv = r.Argv,
            Volumes = r.Volumes,
            Limits = r.Limits,
            AllowedHosts = r.AllowedHosts,
            MaxOutboundConcurrency = r.MaxOutboundConcurrency,
            Files = r.Files?.ToDictionary(
                f => f.Key, f => f.Value.Digest ?? bundles[f.Value.Key].Digest, StringComparer.Ordinal),
        }).ToList();

        Activation activation;
        try
        {
            activation = await api.DeployAsync(app, new DeployRequest { Routes = requests }, cancel);
        }
        catch (ApiException e)
        {
            throw e.WithFieldNames(field => DescribeField(field, routes));
        }

        var deployed = routes.Zip(requests, (plan, request) => new DeployedRoute(
            plan.Route, request.Module, plan.ModulePath ?? plan.ModuleReference, plan.Entrypoint, request.Files)).ToList();
        return DeployResult.From(activation, deployed, [.. uploads.Values], [.. bundles.Values], [.. pulls.Values]);
    }

    /// <summary>Has the control plane pull a module from its registry; the release then names it by digest.</summary>
    public async Task<ModulePull> PullAsync(string reference, CancellationToken cancel)
    {
        output.Note($"{reference}: pulling through the control plane");
        var (module, stored) = await api.PullModuleAsync(reference, cancel);
        output.Note($"{reference}: {(stored ? "pulled" : "pulled, already stored")} ({Formats.ShortDigest(module.Digest)}, " +
            $"{Formats.Bytes(module.Size)})");
        return new ModulePull(reference, module.Digest, module.Size, module.Source?.ManifestDigest, stored);
    }

    /// <summary>Uploads a packed bundle unless the control plane already has its digest.</summary>
    public async Task<FileUpload> EnsureBundleUploadedAsync(string source, PackedBundle bundle, CancellationToken cancel)
    {
        var digest = bundle.Summary.Digest;
        var what = $"{Formats.ShortDigest(digest)}, {Plural(bundle.Summary.FileCount, "file")}, {Formats.Bytes(bundle.Size)}";
        if (await api.FindFileBundleAsync(digest, cancel) is not null)
        {
            output.Note($"{source}: already uploaded ({what})");
            return new FileUpload(source, digest, bundle.Size, bundle.Summary.FileCount, Uploaded: false);
        }

        var progress = output.Progress($"Uploading {source}", bundle.Size);
        var (stored, created) = await api.UploadFileBundleAsync(bundle.Path, gzip: false, progress, cancel);
        progress?.Complete();
        if (!string.Equals(stored.Digest, digest, StringComparison.Ordinal))
        {
            throw new CliException(
                $"The control plane stored {source} as {stored.Digest}, but it was packed as {digest}: the control plane " +
                "and this CLI disagree on the bundle format (are they the same version?).");
        }

        output.Note($"{source}: uploaded ({what})");
        return new FileUpload(source, digest, bundle.Size, bundle.Summary.FileCount, Uploaded: created);
    }

    private static string Plural(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

    /// <summary>Uploads the file unless the control plane already has a module with its digest.</summary>
    public async Task<ModuleUpload> EnsureUploadedAsync(string path, CancellationToken cancel)
    {
        var (digest, size) = await DigestAsync(path, cancel);
        var name = Path.GetFileName(path);
        if (await api.FindModuleAsync(digest, cancel) is not null)
        {
            output.Note($"{name}: already uploaded ({Formats.ShortDigest(digest)}, {Formats.Bytes(size)})");
            return new ModuleUpload(path, digest, size, Uploaded: false);
        }

        var progress = output.Progress($"Uploading {name}", size);
        var (module, created) = await api.UploadModuleAsync(path, progress, cancel);
        progress?.Complete();
        if (!string.Equals(module.Digest, digest, StringComparison.Ordinal))
        {
            throw new CliException(
                $"The control plane stored {path} as {module.Digest}, but its bytes hash to {digest}: the file changed " +
                "while it was being uploaded, or something between here and the control plane altered it. Try again.");
        }

        output.Note($"{name}: uploaded ({Formats.ShortDigest(digest)}, {Formats.Bytes(size)})");
        return new ModuleUpload(path, digest, size, Uploaded: created);
    }

    /// <summary>The module digest the control plane will give these bytes: <c>sha256:</c> and lowercase hex.</summary>
    public static async Task<(string Digest, long Size)> DigestAsync(string path, CancellationToken cancel)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return (await ContentDigest.OfAsync(file, cancel), file.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read module file {path}: {e.Message}");
        }
    }

    private static string DescribeField(string field, IReadOnlyList<RoutePlan> routes)
    {
        var match = RouteField().Match(field);
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, out var index) || index >= routes.Count)
        {
            return field;
        }

        var plan = routes[index];
        var where = plan.Origin == match.Value ? $"route '{plan.Route}'" : $"{plan.Origin}, route '{plan.Route}'";
        return $"{match.Value} ({where}){field[match.Length..]}";
    }

    [GeneratedRegex(@"^routes\[(\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex RouteField();
}
