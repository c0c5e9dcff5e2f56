using Functions.ControlPlane.Hosting;
using Functions.Data;
using Functions.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Functions.ControlPlane.Workers;

/// <summary>
/// Coalesces heartbeats that change nothing but the time. <see cref="WorkerRegistry"/> writes a report at once when it
/// differs from the one this instance last wrote for the node (a new node, a new generation, an error); otherwise it
/// only notes here when the node was heard from, and every <see cref="ControlPlaneOptions.HeartbeatFlushInterval"/> one
/// statement stamps <c>last_heartbeat</c> of every such node. A node whose row is gone by then (expired, deleted) is
/// written anew from its last report, as a write-through would have. Readers of liveness (the workers list, rollouts,
/// the expiry sweep) flush first, so this instance's nodes are shown and expired exactly as if every beat was written.
/// </summary>
internal sealed class WorkerHeartbeats(
    IServiceScopeFactory scopes, IOptions<ControlPlaneOptions> options, TimeProvider time, ILogger<WorkerHeartbeats> logger)
    : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _coalesced;
    private long _flushes;

    /// <summary>Heartbeats kept in memory instead of written.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);

    /// <summary>Flush statements sent (one per interval with pending beats, or per read).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>
    /// True when <paramref name="content"/> is what this instance last wrote for the node: the beat is kept for the
    /// next flush and needs no write now.
    /// </summary>
    public bool TryCoalesce(string nodeId, string content, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(nodeId, out var node) || node.Content != content)
            {
                return false;
            }

            node.Seen = node.Seen is { } seen && seen > now ? seen : now;
            node.Pending = true;
        }

        Interlocked.Increment(ref _coalesced);
        return true;
    }

    /// <summary>The report was written at <paramref name="at"/>: later identical beats are coalesced.</summary>
    public void Written(WorkerReport report, string content, DateTimeOffset at)
    {
        lock (_lock)
        {
            _nodes[report.NodeId] = new Node(report, content) { Seen = at };
        }
    }

    /// <summary>Writes the pending beats in one statement; re-records nodes whose row is gone.</summary>
    public async Task FlushAsync(CancellationToken cancel)
    {
        await _flushing.WaitAsync(cancel);
        try
        {
            List<(Node Node, DateTimeOffset Seen)> pending;
            lock (_lock)
            {
                pending = [.. _nodes.Values.Where(n => n.Pending).Select(n => (n, n.Seen))];
                foreach (var (node, _) in pending)
                {
                    node.Pending = false;
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            try
            {
                await WriteAsync(pending, cancel);
            }
            catch
            {
                lock (_lock)
                {
                    // Written at the next flush (the database may be down for a while).
                    foreach (var (node, _) in pending)
                    {
                        node.Pending = true;
                    }
                }

                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task WriteAsync(List<(Node Node, DateTimeOffset Seen)> pending, CancellationToken cancel)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FunctionsDbContext>();
        var ids = pending.Select(p => p.Node.Report.NodeId).ToArray();
        var seen = pending.Select(p => p.Seen).ToArray();
        Interlocked.Increment(ref _flushes);
        // GREATEST: another control plane instance may have written a later beat of the same node.
        var updated = await db.Database.SqlQuery<string>($"""
            UPDATE worker_nodes AS w SET last_heartbeat = GREATEST(w.last_heartbeat, t.seen)
            FROM unnest({ids}, {seen}) AS t(node_id, seen)
            WHERE w.node_id = t.node_id
            RETURNING w.node_id AS "Value"
            """).ToListAsync(cancel);
        if (updated.Count == pending.Count)
        {
            return;
        }

        var registry = scope.ServiceProvider.GetRequiredService<WorkerRegistry>();
        var present = updated.ToHashSet(StringComparer.Ordinal);
        foreach (var (node, at) in pending.Where(p => !present.Contains(p.Node.Report.NodeId)))
        {
            lock (_lock)
            {
                _nodes.Remove(node.Report.NodeId);
            }

            await registry.WriteAsync(node.Report, at, cancel);
        }
    }

    /// <summary>Forgets what it knows of nodes not heard from since <paramref name="cutoff"/> (the sweep deleted them).</summary>
    public void Forget(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            foreach (var (id, node) in _nodes.Where(n => !n.Value.Pending && n.Value.Seen < cutoff).ToList())
            {
                _nodes.Remove(id);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatFlushInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.HeartbeatFlushFailed(logger, e);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // The last beats heard before shutdown: another instance takes over, and the nodes must not look late.
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.HeartbeatFlushFailed(logger, e);
        }
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    private sealed class Node(WorkerReport report, string content)
    {
        public WorkerReport Report { get; } = report;

        public string Content { get; } = content;

        public DateTimeOffset Seen { get; set; }

        public bool Pending { get; set; }
    }
}
