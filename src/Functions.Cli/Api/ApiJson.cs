using System.Text.Json;
using System.Text.Json.Serialization;
using Functions.Cli.Commands;
using Functions.Cli.Deploying;
using Functions.Cli.Files;
using Functions.Cli.Output;
using Functions.Cli.Wagi;
using Functions.Contracts.Api;

namespace Functions.Cli.Api;

/// <summary>
/// Source-generated JSON for the REST API (web defaults: camelCase) and for the <c>--json</c> documents.
/// Dictionary keys (environment variables, validation fields) are kept as they are.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModuleView))]
[JsonSerializable(typeof(ModulePullRequest))]
[JsonSerializable(typeof(ModulePull))]
[JsonSerializable(typeof(PaginatedItems<ModuleView>))]
[JsonSerializable(typeof(IReadOnlyList<ModuleView>))]
[JsonSerializable(typeof(FileBundleView))]
[JsonSerializable(typeof(FileBundleDetail))]
[JsonSerializable(typeof(FileUpload))]
[JsonSerializable(typeof(PaginatedItems<FileBundleView>))]
[JsonSerializable(typeof(IReadOnlyList<FileBundleView>))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(Activation))]
[JsonSerializable(typeof(RollbackRequest))]
[JsonSerializable(typeof(PaginatedItems<AppSummary>))]
[JsonSerializable(typeof(IReadOnlyList<AppSummary>))]
[JsonSerializable(typeof(AppView))]
[JsonSerializable(typeof(PaginatedItems<ReleaseSummary>))]
[JsonSerializable(typeof(IReadOnlyList<ReleaseSummary>))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(RolloutView))]
[JsonSerializable(typeof(WorkerList))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(DeployResult))]
[JsonSerializable(typeof(ImportResult))]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(Deleted))]
[JsonSerializable(typeof(StatusDocument))]
[JsonSerializable(typeof(WorkersDocument))]
[JsonSerializable(typeof(PushDocument))]
[JsonSerializable(typeof(LogRecordList))]
[JsonSerializable(typeof(LogRecordView))]
internal sealed partial class ApiJson : JsonSerializerContext;
