using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Modules;
using Functions.Contracts;
using Functions.Data;
using Functions.Files;
using Functions.Runtime;
using Functions.Wagi;
using Microsoft.EntityFrameworkCore;

namespace Functions.ControlPlane.Apps;

/// <summary>
/// Checks a deploy request completely before anything is written, collecting every problem under the JSON path of
/// the field at fault (e.g. <c>routes[1].limits.timeoutMs</c>) with what to change.
/// </summary>
internal static class DeployValidator
{
    public const int MaxRoutes = 1000;
    public const int MaxArgvLength = 4096;
    public const int MaxTimeoutMs = 15 * 60 * 1000;
    public const int MaxMemoryMb = 4096;
    public const long MaxBodyBytesCeiling = 1L << 30;
    public const int MaxConcurrencyCeiling = 10_000;
    public const int MaxGuestPathLength = 4096;

    public static async Task<(List<ValidatedRoute>? Routes, Dictionary<string, string[]>? Errors)> ValidateAsync(
        DeployRequest request, FunctionsDbContext db, ControlPlaneOptions options, CancellationToken cancel)
    {
        var errors = new FieldErrors();
        var routes = request.Routes;
        if (routes is null || routes.Count == 0)
        {
            errors.Add("routes", "A release needs at least one route: send {\"routes\": [{\"route\": \"/hello\", " +
                "\"module\": \"sha256:…\"}]}. To stop serving an application, DELETE it.");
            return (null, errors.ToDictionary());
        }

        if (routes.Count > MaxRoutes)
        {
            errors.Add("routes", $"A release may have at most {MaxRoutes} routes; got {routes.Count}.");
            return (null, errors.ToDictionary());
        }

        var digests = routes.Select(r => ModuleDigest.Normalize(r?.Module)).OfType<string>().Distinct().ToList();
        var modules = await db.Modules.AsNoTracking()
            .Where(m => digests.Contains(m.Digest))
            .Select(m => new { m.Digest, m.Exports, m.Entrypoints })
            .ToDictionaryAsync(m => m.Digest, m => (m.Exports, m.Entrypoints), cancel);
        var bundleDigests = routes.SelectMany(r => r?.Files?.Values ?? []).Select(BundleDigest.Normalize).OfType<string>()
            .Distinct().ToList();
        var bundles = (await db.FileBundles.AsNoTracking()
            .Where(b => bundleDigests.Contains(b.Digest))
            .Select(b => b.Digest)
            .ToListAsync(cancel)).ToHashSet(StringComparer.Ordinal);

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var validated = new List<ValidatedRoute>(routes.Count);
        for (var i = 0; i < routes.Count; i++)
        {
            var at = $"routes[{i}]";
            if (routes[i] is not { } route)
            {
                errors.Add(at, "A route binding is an object with at least 'route' and 'module'.");
                continue;
            }

            var before = errors.Count;
            var pattern = CheckRoute(route.Route, at, seen, i, errors);
            var digest = CheckModule(route.Module, at, modules.ContainsKey, errors);
            var entrypoint = route.Entrypoint ?? Entrypoints.Start;
            if (digest is not null && modules.TryGetValue(digest, out var module))
            {
                CheckEntrypoint(entrypoint, module.Exports, module.Entrypoints, at, errors);
            }

            var environment = CheckEnvironment(route.Environment, at, errors);
            CheckArgv(route.Argv, at, errors);
            var volumes = CheckVolumes(route.Volumes, options.VolumesRoot, at, errors);
            var files = CheckFiles(route.Files, route.Volumes, at, bundles.Contains, errors);
            var limits = CheckLimits(route.Limits, at, errors);
            var allowedHosts = CheckAllowedHosts(route.AllowedHosts, at, errors);
            var outboundConcurrency = CheckOutboundConcurrency(route.MaxOutboundConcurrency, at, errors);
            if (errors.Count == before)
            {
                validated.Add(new ValidatedRoute(
                    pattern!.Text, digest!, entrypoint, environment, route.Argv, volumes, limits, files, allowedHosts,
                    outboundConcurrency));
            }
        }

        return errors.Count == 0 ? (validated, null) : (null, errors.ToDictionary());
    }

    private static RoutePattern? CheckRoute(string? route, string at, Dictionary<string, int> seen, int index, FieldErrors errors)
    {
        if (!RoutePattern.TryParse(route, out var pattern, out var problem))
        {
            errors.Add($"{at}.route", $"{char.ToUpperInvariant(problem[0])}{problem[1..]}.");
            return null;
        }

        if (!seen.TryAdd(pattern.Text, index))
        {
            errors.Add($"{at}.route",
                $"Route '{pattern.Text}' is already bound by routes[{seen[pattern.Text]}]: each route may appear once " +
                "in an application.");
            return null;
        }

        return pattern;
    }

    private static string? CheckModule(string? module, string at, Func<string, bool> exists, FieldErrors errors)
    {
        var digest = ModuleDigest.Normalize(module);
        if (digest is null)
        {
            errors.Add($"{at}.module", string.IsNullOrWhiteSpace(module)
                ? $"The module is missing: {ModuleDigest.FormatHint}."
                : $"'{module}' is not a module digest: {ModuleDigest.FormatHint}.");
            return null;
        }

        if (!exists(digest))
        {
            errors.Add($"{at}.module",
                $"There is no module '{digest}': upload it first with POST /api/v1/modules (GET /api/v1/modules lists them).");
            return null;
        }

        return digest;
    }

    private static void CheckEntrypoint(
        string entrypoint, List<string> exports, List<string> entrypoints, string at, FieldErrors errors)
    {
        if (entrypoints.Contains(entrypoint))
        {
            return;
        }

        var usable = $"its usable entrypoints are: {string.Join(", ", entrypoints)}";
        errors.Add($"{at}.entrypoint", exports.Contains(entrypoint)
            ? $"The module's export '{entrypoint}' takes parameters or returns values; an entrypoint takes none and " +
              $"returns nothing. {char.ToUpperInvariant(usable[0])}{usable[1..]}."
            : $"The module does not export a function '{entrypoint}'; {usable}. Set 'entrypoint' to one of them.");
    }

    private static Dictionary<string, string> CheckEnvironment(
        IReadOnlyDictionary<string, string>? environment, string at, FieldErrors errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
            {
                errors.Add($"{at}.environment",
                    $"'{name}' is not a valid variable name: names are non-empty and contain neither '=' nor NUL.");
            }
            else if (value is null || value.Contains('\0'))
            {
                errors.Add($"{at}.environment.{name}", "A variable's value is a string without NUL characters.");
            }
            else
            {
                result[name] = value;
            }
        }

        return result;
    }

    private static void CheckArgv(string? argv, string at, FieldErrors errors)
    {
        if (argv is not null && (argv.Length > MaxArgvLength || argv.Contains('\0')))
        {
            errors.Add($"{at}.argv",
                $"The argv template is at most {MaxArgvLength} characters without NUL, e.g. \"${{SCRIPT_NAME}} ${{ARGS}}\".");
        }
    }

    private static List<VolumeBinding> CheckVolumes(
        IReadOnlyDictionary<string, VolumeRequest>? volumes, string? volumesRoot, string at, FieldErrors errors)
    {
        var result = new List<VolumeBinding>();
        if (volumes is null || volumes.Count == 0)
        {
            return result;
        }

        if (volumesRoot is null)
        {
            errors.Add($"{at}.volumes",
                "Volumes are disabled on this control plane: its operator must set Functions:VolumesRoot to the host " +
                "directory under which volumes may be mapped.");
            return result;
        }

        var root = VolumePaths.Resolve(volumesRoot) ?? volumesRoot;
        foreach (var (guest, volume) in volumes.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var key = $"{at}.volumes.{guest}";
            if (!IsGuestPath(guest))
            {
                errors.Add(key, $"Guest path '{guest}' must be absolute and normalized (start with '/', no '.' or '..' " +
                    "segments, no empty segments or trailing '/'), e.g. '/data'.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(volume?.Path) || volume.Path.Contains('\0'))
            {
                errors.Add(key, "Give the host directory: \"/data\": \"site/data\" or {\"path\": \"site/data\", " +
                    "\"writable\": true}, relative to the volumes root.");
                continue;
            }

            var requested = volume.Path.StartsWith('/') ? volume.Path : root.TrimEnd('/') + "/" + volume.Path;
            var resolved = VolumePaths.Resolve(requested);
            if (resolved is null || !VolumePaths.IsUnder(resolved, root))
            {
                errors.Add(key, $"Host directory '{volume.Path}' resolves to '{resolved ?? "(a symlink loop)"}', " +
                    $"outside the volumes root '{root}': volumes must stay under it (symlinks and '..' are followed).");
                continue;
            }

            if (File.Exists(resolved))
            {
                errors.Add(key, $"Host path '{volume.Path}' is a file; a volume maps a directory.");
                continue;
            }

            result.Add(new VolumeBinding(guest, resolved, volume.Writable));
        }

        return result;
    }

    /// <summary>
    /// A stored release's volumes checked again against the volumes root as it is now (a rollback re-activates them:
    /// the root may have changed, or a directory become a symlink out of it since the release was deployed); the
    /// problems, one per volume, empty when all still hold.
    /// </summary>
    public static List<string> RecheckVolumes(IEnumerable<(string Route, VolumeBinding Volume)> volumes, string? volumesRoot)
    {
        var problems = new List<string>();
        var root = volumesRoot is null ? null : VolumePaths.Resolve(volumesRoot) ?? volumesRoot;
        foreach (var (route, volume) in volumes)
        {
            if (root is null)
            {
                problems.Add($"{route}: volume {volume.GuestPath} maps host directory '{volume.HostPath}', but volumes are now " +
                    "disabled on this control plane (Functions:VolumesRoot is not set)");
                continue;
            }

            var resolved = VolumePaths.Resolve(volume.HostPath);
            if (resolved is null || !VolumePaths.IsUnder(resolved, root))
            {
                problems.Add($"{route}: volume {volume.GuestPath} maps host directory '{volume.HostPath}', which now resolves to " +
                    $"'{resolved ?? "(a symlink loop)"}', outside the volumes root '{root}'");
            }
            else if (File.Exists(resolved))
            {
                problems.Add($"{route}: volume {volume.GuestPath} maps '{volume.HostPath}', which is now a file, not a directory");
            }
        }

        return problems;
    }

    /// <summary>
    /// The route's file mounts sorted by guest path: each guest path absolute and normalised, nested in or around no
    /// other files or volumes guest path of the route (a preopen inside another would shadow part of it), each digest
    /// a stored bundle.
    /// </summary>
    private static List<FileMount> CheckFiles(
        IReadOnlyDictionary<string, string>? files, IReadOnlyDictionary<string, VolumeRequest>? volumes, string at,
        Func<string, bool> exists, FieldErrors errors)
    {
        var result = new List<FileMount>();
        if (files is null || files.Count == 0)
        {
            return result;
        }

        var volumePaths = (volumes?.Keys ?? []).Where(IsGuestPath).ToList();
        var taken = new List<string>();
        foreach (var (guest, digestText) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var key = $"{at}.files.{guest}";
            if (guest.Length > MaxGuestPathLength || !IsGuestPath(guest))
            {
                errors.Add(key, $"Guest path '{Shorten(guest)}' must be absolute and normalized (start with '/', no '.' or " +
                    $"'..' segments, no empty segments or trailing '/', at most {MaxGuestPathLength} characters), e.g. '/' " +
                    "or '/static'.");
                continue;
            }

            if (volumePaths.FirstOrDefault(v => Overlap(v, guest)) is { } volume)
            {
                errors.Add(key, $"Guest path '{guest}' {Relation(guest, volume)} the volume at '{volume}' of the same " +
                    "route: mounts may not nest. Mount the bundle or the volume elsewhere, or put the volume's files into " +
                    "the bundle.");
                continue;
            }

            if (taken.FirstOrDefault(t => Overlap(t, guest)) is { } other)
            {
                errors.Add(key, $"Guest path '{guest}' {Relation(guest, other)} the files mount at '{other}' of the same " +
                    "route: mounts may not nest. Put both folders into one bundle, or mount them side by side.");
                continue;
            }

            var digest = BundleDigest.Normalize(digestText);
            if (digest is null)
            {
                errors.Add(key, string.IsNullOrWhiteSpace(digestText)
                    ? $"The bundle is missing: {BundleDigest.FormatHint}."
                    : $"'{Shorten(digestText)}' is not a file bundle digest: {BundleDigest.FormatHint}.");
                continue;
            }

            if (!exists(digest))
            {
                errors.Add(key,
                    $"There is no file bundle '{digest}': upload it first with POST /api/v1/files (GET /api/v1/files lists them).");
                continue;
            }

            taken.Add(guest);
            result.Add(new FileMount(guest, digest));
        }

        return result;
    }

    private static bool Overlap(string a, string b) => a == b || Inside(a, b) || Inside(b, a);

    private static bool Inside(string inner, string outer) => outer == "/" || inner.StartsWith(outer + "/", StringComparison.Ordinal);

    private static string Relation(string guest, string other) =>
        guest == other ? "is the same as" : Inside(guest, other) ? "lies inside" : "contains";

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static bool IsGuestPath(string guest)
    {
        if (guest == "/")
        {
            return true;
        }

        if (!guest.StartsWith('/') || guest.EndsWith('/') || guest.Contains('\0'))
        {
            return false;
        }

        return guest[1..].Split('/').All(segment => segment is not ("" or "." or ".."));
    }

    /// <summary>The route's origins in normal form, duplicates collapsed; each bad entry under its own index.</summary>
    private static List<string> CheckAllowedHosts(IReadOnlyList<string>? hosts, string at, FieldErrors errors)
    {
        if (hosts is null || hosts.Count == 0)
        {
            return [];
        }

        if (hosts.Count > OutboundOrigins.MaxHosts)
        {
            errors.Add($"{at}.allowedHosts", $"A route may allow at most {OutboundOrigins.MaxHosts} origins; got " +
                $"{hosts.Count}. Call the rest through a service of your own on one of them.");
            return [];
        }

        return OutboundOrigins.NormalizeAll(hosts, (index, problem) => errors.Add($"{at}.allowedHosts[{index}]",
            $"'{Shorten(hosts[index] ?? "")}': {problem}."));
    }

    private static int CheckOutboundConcurrency(int? concurrency, string at, FieldErrors errors)
    {
        var value = concurrency ?? OutboundOrigins.DefaultMaxConcurrency;
        if (value is < 1 or > OutboundOrigins.MaxConcurrencyCeiling)
        {
            errors.Add($"{at}.maxOutboundConcurrency",
                $"maxOutboundConcurrency must be between 1 and {OutboundOrigins.MaxConcurrencyCeiling}; got {value}.");
        }

        return value;
    }

    private static RouteLimits CheckLimits(LimitsRequest? limits, string at, FieldErrors errors)
    {
        var defaults = RouteLimits.Default;
        var timeout = limits?.TimeoutMs ?? defaults.TimeoutMs;
        var memory = limits?.MemoryMb ?? defaults.MemoryMb;
        var body = limits?.MaxBodyBytes ?? defaults.MaxBodyBytes;
        var concurrency = limits?.MaxConcurrency ?? defaults.MaxConcurrency;
        if (timeout is < 1 or > MaxTimeoutMs)
        {
            errors.Add($"{at}.limits.timeoutMs", $"timeoutMs must be between 1 and {MaxTimeoutMs} (15 minutes); got {timeout}.");
        }

        if (memory is < 1 or > MaxMemoryMb)
        {
            errors.Add($"{at}.limits.memoryMb", $"memoryMb must be between 1 and {MaxMemoryMb}; got {memory}.");
        }

        if (body is < 0 or > MaxBodyBytesCeiling)
        {
            errors.Add($"{at}.limits.maxBodyBytes", $"maxBodyBytes must be between 0 and {MaxBodyBytesCeiling} (1 GiB); got {body}.");
        }

        if (concurrency is < 1 or > MaxConcurrencyCeiling)
        {
            errors.Add($"{at}.limits.maxConcurrency",
                $"maxConcurrency must be between 1 and {MaxConcurrencyCeiling}; got {concurrency}.");
        }

        return new RouteLimits(timeout, memory, body, concurrency);
    }
}
