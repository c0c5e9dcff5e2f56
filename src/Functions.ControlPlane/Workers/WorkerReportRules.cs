using System.Text.RegularExpressions;
using Functions.ControlPlane.Apps;
using Functions.Contracts;

namespace Functions.ControlPlane.Workers;

/// <summary>
/// What a heartbeat may hold, so that the worker key cannot fill the database: identifying fields the worker chooses
/// (node id, address, version) are refused past their bounds with a 400 naming the field; error texts, which the
/// worker cannot choose, are cut to <see cref="MaxErrorLength"/> so a node with a long error keeps reporting.
/// </summary>
internal static partial class WorkerReportRules
{
    /// <summary>The workers' own rule for <c>Worker:NodeId</c>.</summary>
    public const int MaxNodeIdLength = 100;
    public const int MaxAddressLength = 2048;
    public const int MaxVersionLength = 128;
    public const int MaxErrorLength = 4096;

    /// <summary>Apps one heartbeat may list as failed.</summary>
    public const int MaxFailedApps = 1000;

    public static Dictionary<string, string[]> Check(WorkerReport report)
    {
        var errors = new Dictionary<string, string[]>();
        if (report.NodeId is null || !NodeIdPattern().IsMatch(report.NodeId))
        {
            errors["nodeId"] = [$"nodeId is the worker's stable id (Worker:NodeId): 1–{MaxNodeIdLength} letters, digits, " +
                $"'.', '_' or '-'; got {Shown(report.NodeId)}."];
        }

        if (report.Address is null || report.Version is null)
        {
            errors["address"] = ["address and version are required (the worker's HTTP address and software version)."];
        }

        if (report.Address?.Length > MaxAddressLength)
        {
            errors["address"] = [$"address may be at most {MaxAddressLength} characters; got {report.Address.Length}."];
        }

        if (report.Version?.Length > MaxVersionLength)
        {
            errors["version"] = [$"version may be at most {MaxVersionLength} characters; got {report.Version.Length}."];
        }

        if (report.AppliedGeneration < 0)
        {
            errors["appliedGeneration"] = ["appliedGeneration cannot be negative (0 before the first sync)."];
        }

        if (report.FailedApps is { Count: > MaxFailedApps })
        {
            errors["failedApps"] = [$"failedApps may list at most {MaxFailedApps} apps; got {report.FailedApps.Count}."];
        }
        else if (report.FailedApps?.Any(f => f is null || !AppName.IsValid(f.App) || f.Error is null) == true)
        {
            errors["failedApps"] = ["Each failed app needs its app name (an application name: " + AppName.Rule +
                "), the release that failed and the error."];
        }

        return errors;
    }

    /// <summary>An error text as stored: at most <see cref="MaxErrorLength"/> characters, marked when cut.</summary>
    public static string? Bounded(string? error) =>
        error is { Length: > MaxErrorLength } ? string.Concat(error.AsSpan(0, MaxErrorLength - 1), "…") : error;

    private static string Shown(string? value) =>
        value is null ? "nothing" : value.Length > 40 ? $"'{value[..40]}…' ({value.Length} characters)" : $"'{value}'";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex NodeIdPattern();
}
