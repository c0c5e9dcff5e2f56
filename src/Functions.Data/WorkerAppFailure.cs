namespace Functions.Data;

/// <summary>An app a worker reported it could not apply, stored in <c>worker_nodes.failed_apps</c>.</summary>
public sealed record WorkerAppFailure(string App, int Release, string Error);
