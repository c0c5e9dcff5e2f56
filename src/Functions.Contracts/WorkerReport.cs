namespace Functions.Contracts;

/// <summary>
/// What a worker node tells the control plane on every heartbeat: who it is, where it serves, the last generation
/// it applied (or why it could not apply the newest one at all), and the apps it could not apply at that generation.
/// </summary>
/// <param name="NodeId">The node's stable id (its queue is named after it).</param>
/// <param name="Address">Where it serves HTTP.</param>
/// <param name="Version">The worker's software version.</param>
/// <param name="AppliedGeneration">The last generation it processed: every app that could be applied is served at it.</param>
/// <param name="FailedGeneration">A newer generation the worker could not process at all (whole-sync failure).</param>
/// <param name="LastError">Why <paramref name="FailedGeneration"/> failed.</param>
/// <param name="SentAt">The worker's clock when it sent the report (informative only).</param>
/// <param name="FailedApps">
/// Only the apps whose active release this worker could not apply (each keeps serving its last good release, or
/// nothing); never the healthy ones, so a report stays small with a thousand apps. Null from older workers.
/// </param>
public sealed record WorkerReport(
    string NodeId,
    string Address,
    string Version,
    long AppliedGeneration,
    long? FailedGeneration,
    string? LastError,
    DateTimeOffset SentAt,
    IReadOnlyList<AppFailure>? FailedApps = null);

/// <summary>An app a worker could not apply: which release failed and why.</summary>
public sealed record AppFailure(string App, int Release, string Error);
