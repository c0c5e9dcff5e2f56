using System.Text.Json;
using Functions.ControlPlane.Hosting;
using Functions.ControlPlane.Observability;
using Functions.Contracts;
using Functions.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Workers;

/// <summary>
/// Records heartbeats in <c>worker_nodes</c>, keeping at most <see cref="ControlPlaneOptions.MaxWorkers"/> nodes: a
/// known node is updated in one statement; a new one is admitted under a Postgres advisory lock, so concurrent new
/// nodes cannot overshoot the cap, and known nodes never wait for that lock.
/// </summary>
internal sealed class WorkerRegistry(
    FunctionsDbContext db, WorkerHeartbeats heartbeats, IOptions<ControlPlaneOptions> options, TimeProvider time,
    ControlPlaneMetrics metrics)
{
    // pg_advisory_xact_lock key for admitting new nodes ("workers" in ASCII); distinct from the migrations' key.
    private const long AdmissionLock = 0x776f726b657273;

    // The same shape JsonColumn reads back (web defaults: camelCase).
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores the report; false when it comes from a new node and the table is full. A report equal to the one last
    /// written for the node is only noted in <see cref="WorkerHeartbeats"/>, which stamps its time in a batch.
    /// </summary>
    public Task<bool> RecordAsync(WorkerReport report, CancellationToken cancel) =>
        // Clock skew between nodes makes the worker's SentAt unreliable: the control plane's clock decides.
        RecordAsync(report, time.GetUtcNow(), coalesce: true, cancel);

    /// <summary>Writes the report now, as heard at <paramref name="now"/>; false when refused for the cap.</summary>
    public Task<bool> WriteAsync(WorkerReport report, DateTimeOffset now, CancellationToken cancel) =>
        RecordAsync(report, now, coalesce: false, cancel);

    private async Task<bool> RecordAsync(WorkerReport report, DateTimeOffset now, bool coalesce, CancellationToken cancel)
    {
        var lastError = WorkerReportRules.Bounded(report.LastError);
        // An older worker sends no failedApps: it applies whole generations, so it has none to report.
        var failedApps = JsonSerializer.Serialize(
            (report.FailedApps ?? []).Select(f => new WorkerAppFailure(f.App, f.Release, WorkerReportRules.Bounded(f.Error)!)),
            JsonOptions);
        var content = string.Join('\n', report.Address, report.Version, report.AppliedGeneration, report.FailedGeneration, lastError, failedApps);
        if (coalesce && heartbeats.TryCoalesce(report.NodeId, content, now))
        {
            // Unchanged, so no generation was applied since the last write: nothing for the rollout histogram.
            return true;
        }

        // The previous applied generation comes back from the same statement, for the rollout histogram.
        var previous = await db.Database.SqlQuery<long>($"""
            UPDATE worker_nodes AS w SET address = {report.Address}, version = {report.Version}, last_heartbeat = {now},
                applied_generation = {report.AppliedGeneration}, failed_generation = {report.FailedGeneration},
                last_error = {lastError}, failed_apps = CAST({failedApps} AS jsonb)
            FROM (SELECT node_id, applied_generation FROM worker_nodes WHERE node_id = {report.NodeId} FOR UPDATE) AS p
            WHERE w.node_id = p.node_id
            RETURNING p.applied_generation AS "Value"
            """).ToListAsync(cancel);
        if (previous is [var before])
        {
            await ObserveRolloutsAsync(before, report.AppliedGeneration, now, cancel);
            heartbeats.Written(report, content, now);
            return true;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancel);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({AdmissionLock})", cancel);
        var known = await db.WorkerNodes.AnyAsync(w => w.NodeId == report.NodeId, cancel);
        if (!known && await db.WorkerNodes.CountAsync(cancel) >= options.Value.MaxWorkers)
        {
            return false;
        }

        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO worker_nodes (node_id, address, version, first_seen, last_heartbeat, applied_generation, failed_generation, last_error, failed_apps)
            VALUES ({report.NodeId}, {report.Address}, {report.Version}, {now}, {now}, {report.AppliedGeneration}, {report.FailedGeneration}, {lastError}, CAST({failedApps} AS jsonb))
            ON CONFLICT (node_id) DO UPDATE SET
                address = excluded.address, version = excluded.version, last_heartbeat = excluded.last_heartbeat,
                applied_generation = excluded.applied_generation, failed_generation = excluded.failed_generation,
                last_error = excluded.last_error, failed_apps = excluded.failed_apps
            """, cancel);
        await transaction.CommitAsync(cancel);
        heartbeats.Written(report, content, now);
        return true;
    }

    /// <summary>
    /// One observation per activation the worker has now applied: from the activation's commit to this report. A
    /// worker that last reported generation 0 has just started (or the platform is new): what it applies next is a
    /// catch-up on history, not a rollout, and is not observed.
    /// </summary>
    private async Task ObserveRolloutsAsync(long before, long applied, DateTimeOffset now, CancellationToken cancel)
    {
        if (before == 0 || applied <= before)
        {
            return;
        }

        var activations = await db.Applications
            .Where(a => a.ActivatedGeneration > before && a.ActivatedGeneration <= applied && a.ActivatedAt != null)
            .Select(a => a.ActivatedAt!.Value)
            .ToListAsync(cancel);
        foreach (var activatedAt in activations)
        {
            metrics.Rollout.Observe(Math.Max(0, (now - activatedAt).TotalSeconds));
        }
    }

    /// <summary>Deletes the nodes not heard from for <see cref="ControlPlaneOptions.WorkerExpireAfter"/>; how many.</summary>
    public async Task<int> ForgetStaleAsync(CancellationToken cancel)
    {
        // The beats heard but not yet written count: a live node is never swept.
        await heartbeats.FlushAsync(cancel);
        var cutoff = time.GetUtcNow() - options.Value.WorkerExpireAfter;
        var forgotten = await db.WorkerNodes.Where(w => w.LastHeartbeat < cutoff).ExecuteDeleteAsync(cancel);
        heartbeats.Forget(cutoff);
        return forgotten;
    }
}
