using Functions.Cli.Api;
using Functions.Contracts.Api;

namespace Functions.Cli.Output;

/// <summary>A release's route bindings as a table: route, module, entrypoint, limits and the rest.</summary>
internal static class RouteTable
{
    public static void Write(CliOutput output, IReadOnlyList<RouteView> routes) =>
        output.Table(["ROUTE", "MODULE", "ENTRYPOINT", "LIMITS", "SETTINGS"], routes.Select(r => (IReadOnlyList<string>)
        [
            r.Route,
            Formats.ShortDigest(r.Module),
            r.Entrypoint,
            $"{Formats.Duration(TimeSpan.FromMilliseconds(r.Limits.TimeoutMs))} {r.Limits.MemoryMb}MB " +
                $"body≤{Formats.Bytes(r.Limits.MaxBodyBytes)} ×{r.Limits.MaxConcurrency}",
            Settings(r),
        ]));

    private static string Settings(RouteView route)
    {
        var parts = new List<string>();
        if (route.Environment.Count > 0)
        {
            parts.Add("env " + string.Join(",", route.Environment.Keys.Order(StringComparer.Ordinal)));
        }

        if (route.Volumes.Count > 0)
        {
            parts.Add("volumes " + string.Join(",", route.Volumes.Select(v => $"{v.GuestPath}={v.HostPath}{(v.Writable ? "(rw)" : "")}")));
        }

        if (route.Files is { Count: > 0 } files)
        {
            parts.Add("files " + string.Join(",", files.Select(f => $"{f.Key}={Formats.ShortDigest(f.Value)}")));
        }

        if (route.AllowedHosts is { Count: > 0 } hosts)
        {
            parts.Add($"outbound {string.Join(",", hosts)} ×{route.MaxOutboundConcurrency}");
        }

        if (route.Argv is not null)
        {
            parts.Add($"argv \"{route.Argv}\"");
        }

        return parts.Count == 0 ? "-" : string.Join("; ", parts);
    }
}
