using Functions.Contracts.Api;

namespace Functions.Contracts;

/// <summary>
/// Log records of one app, as a worker batches them: published on the <c>functions.logs</c> topic exchange with the
/// app's name as routing key. Best effort: a worker drops records rather than wait for the broker.
/// </summary>
public sealed record FunctionLogs(string App, IReadOnlyList<LogRecordView> Records);
