using System.Text.Json;
using System.Text.Json.Serialization;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Cli.Output;
using Functions.Cli.Wagi;

namespace Functions.Cli.Api;

/// <summary>
/// Source-generated JSON for the REST API (web defaults: camelCase) and for the <c>--json</c> documents.
/// Dictionary keys (environment variables, validation fields) are kept as they are.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModuleInfo))]
[JsonSerializable(typeof(Page<ModuleInfo>))]
[JsonSerializable(typeof(IReadOnlyList<ModuleInfo>))]
[JsonSerializable(typeof(FileBundleInfo))]
[JsonSerializable(typeof(FileBundleDetail))]
[JsonSerializable(typeof(FileUpload))]
[JsonSerializable(typeof(Page<FileBundleInfo>))]
[JsonSerializable(typeof(IReadOnlyList<FileBundleInfo>))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(Activation))]
[JsonSerializable(typeof(RollbackRequest))]
[JsonSerializable(typeof(Page<AppSummary>))]
[JsonSerializable(typeof(IReadOnlyList<AppSummary>))]
[JsonSerializable(typeof(AppDetails))]
[JsonSerializable(typeof(Page<ReleaseSummary>))]
[JsonSerializable(typeof(IReadOnlyList<ReleaseSummary>))]
[JsonSerializable(typeof(ReleaseDetails))]
[JsonSerializable(typeof(Rollout))]
[JsonSerializable(typeof(WorkerList))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(DeployResult))]
[JsonSerializable(typeof(ImportResult))]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(Deleted))]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class ApiJson : JsonSerializerContext;
