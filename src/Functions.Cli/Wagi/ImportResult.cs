using Functions.Cli.Api;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Contracts.Api;

namespace Functions.Cli.Wagi;

/// <summary>What <c>import-wagi</c> did (its <c>--json</c> document).</summary>
/// <param name="App">The application the modules.toml became.</param>
/// <param name="Source">The modules.toml.</param>
/// <param name="DryRun">True when nothing was uploaded or deployed.</param>
/// <param name="Release">The release activated; null on a dry run or when errors stopped the import.</param>
/// <param name="Routes">The routes, in the order of the [[module]] tables.</param>
/// <param name="Modules">Each module file, uploaded or found already uploaded.</param>
/// <param name="Files">Each file bundle, uploaded or found already uploaded.</param>
/// <param name="Unsupported">Fields not carried over, each with the reason.</param>
/// <param name="Notes">How fields were read where that is worth knowing.</param>
/// <param name="Errors">What stopped the import; empty when it went through.</param>
internal sealed record ImportResult(
    string App,
    string Source,
    bool DryRun,
    Activation? Release,
    IReadOnlyList<DeployedRoute> Routes,
    IReadOnlyList<ModuleUpload> Modules,
    IReadOnlyList<FileUpload> Files,
    IReadOnlyList<ImportIssue> Unsupported,
    IReadOnlyList<ImportIssue> Notes,
    IReadOnlyList<ImportIssue> Errors);
