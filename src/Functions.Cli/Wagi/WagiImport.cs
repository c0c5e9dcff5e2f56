using Functions.Cli.Deploying;

namespace Functions.Cli.Wagi;

/// <summary>
/// A WAGI modules.toml mapped onto one application: the routes to deploy, the fields this platform does not honour
/// (<see cref="Unsupported"/>, never silently dropped), notes on how fields were read, and <see cref="Errors"/> that
/// stop the import (then nothing is uploaded). import-spin reads a spin.toml into the same shape, with the
/// application's name the manifest gives (<see cref="AppName"/>).
/// </summary>
internal sealed record WagiImport(
    string Source,
    IReadOnlyList<RoutePlan> Routes,
    IReadOnlyList<ImportIssue> Unsupported,
    IReadOnlyList<ImportIssue> Notes,
    IReadOnlyList<ImportIssue> Errors,
    string? AppName = null);
