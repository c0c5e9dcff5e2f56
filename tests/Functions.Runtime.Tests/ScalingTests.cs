using Functions.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Functions.Runtime.Tests;

/// <summary>
/// Scale to zero and back, driven by a fake clock: every <see cref="RuntimeOptions.ScaleInterval"/> the test advances
/// runs the runtime's scaling pass on the test's own thread, so growth, idling and eviction are asserted exactly.
/// </summary>
public sealed class ScalingTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("functions-scaling-").FullName;

    private WasmRuntime Runtime(long moduleMemory = long.MaxValue, long diskBytes = long.MaxValue, int slots = 1000) =>
        new(new RuntimeOptions
        {
            CacheDirectory = _cache,
            ScaleInterval = Interval,
            IdleShrinkAfter = IdleAfter,
            ModuleMemoryBytes = moduleMemory,
            DiskCacheMaxBytes = diskBytes,
            DiskCacheGracePeriod = TimeSpan.FromHours(1),
            DiskCacheSweepInterval = TimeSpan.FromMinutes(1),
            PoolingTotalInstances = slots,
            InlineRuns = 0,
        }, time: _time);

    [Fact]
    public void A_new_pool_holds_no_instance_no_slot_and_no_module_until_its_first_request()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")),
            new FunctionSettings { ReadyInstances = 8 });

        Assert.Equal(0, pool.Stats.Ready);
        Assert.Equal(0, pool.Stats.TargetReady);
        Assert.Equal(8, pool.Stats.MaxReady);
        Assert.False(pool.Stats.ModuleLoaded);
        Assert.Equal(0, runtime.Stats.LiveInstances);
        Assert.Equal(1, pool.Stats.Instantiations); // the trial at deploy, already deleted
    }

    [Fact]
    public async Task The_first_request_instantiates_on_demand_and_demand_raises_the_ready_target_up_to_its_maximum()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")),
            new FunctionSettings { ReadyInstances = 4 });

        var first = pool.Invoke(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, first.Outcome);
        Assert.Equal(1, pool.Stats.Misses);
        Assert.True(pool.Stats.ModuleLoaded);
        Assert.Equal(1, pool.Stats.TargetReady);
        await Until(() => pool.Stats.Ready == 1);

        await RaiseDemand(pool, 4);
        Assert.Equal(4, pool.Stats.TargetReady);
        await UntilRefilled(pool, 4);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => pool.InvokeAsync(Requests.With(("SPIN_MS", "20"))).AsTask()));
        Assert.Equal(4, pool.Stats.TargetReady); // never past the function's maximum
    }

    [Fact]
    public async Task A_pool_in_use_refills_in_batches_once_half_of_its_target_is_used()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")),
            new FunctionSettings { ReadyInstances = 4 });
        await RaiseDemand(pool, 4);
        await UntilRefilled(pool, 4);
        var made = pool.Stats.Instantiations;

        pool.Invoke(Requests.With());
        Assert.Equal(3, pool.Stats.Ready); // above the low-water mark (half): no refill yet
        pool.Invoke(Requests.With());
        await Until(() => pool.Stats.Ready == 4);
        Assert.Equal(made + 2, pool.Stats.Instantiations);
    }

    [Fact]
    public async Task An_interval_with_fewer_requests_than_instances_ready_lowers_the_target_by_half_at_most_towards_its_peak_concurrency()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")),
            new FunctionSettings { ReadyInstances = 8 });
        await RaiseDemand(pool, 8);
        await UntilRefilled(pool, 8);
        _time.Advance(Interval); // the interval of the burst: its peak keeps the target

        // One request at a time: the peak is 1, so the target goes 8 → 4 → 2 → 1 and stays there while in use.
        foreach (var expected in new[] { 4, 2, 1, 1 })
        {
            pool.Invoke(Requests.With());
            _time.Advance(Interval);
            Assert.Equal(expected, pool.Stats.TargetReady);
            Assert.True(pool.Stats.Ready <= expected, $"{pool.Stats.Ready} ready above the target {expected}");
        }
    }

    [Fact]
    public async Task A_function_called_often_keeps_its_ready_instances_however_few_of_its_requests_overlap()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin")),
            new FunctionSettings { ReadyInstances = 4 });
        await RaiseDemand(pool, 4);
        for (var interval = 0; interval < 5; interval++)
        {
            for (var i = 0; i < 10; i++)
            {
                pool.Invoke(Requests.With()); // one at a time: a peak concurrency of 1
            }

            _time.Advance(Interval);
            Assert.Equal(4, pool.Stats.TargetReady);
        }
    }

    [Fact]
    public async Task An_idle_function_scales_to_zero_releases_its_slots_and_module_and_answers_its_next_request()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")),
            new FunctionSettings { ReadyInstances = 4 });
        pool.Invoke(Requests.With());
        await Until(() => pool.Stats.Ready == 1);

        _time.Advance(IdleAfter - Interval);
        Assert.True(pool.Stats.ModuleLoaded, "scaled to zero before the idle time");
        _time.Advance(Interval);

        Assert.Equal(0, pool.Stats.Ready);
        Assert.Equal(0, pool.Stats.TargetReady);
        Assert.False(pool.Stats.ModuleLoaded);
        Assert.Equal(0, runtime.Stats.LiveInstances);

        var again = pool.Invoke(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, again.Outcome);
        Assert.Equal(2, pool.Stats.Misses);
    }

    [Fact]
    public async Task Past_the_memory_bound_an_idle_functions_module_leaves_memory_and_its_next_request_loads_it_from_disk()
    {
        using var runtime = Runtime(moduleMemory: 1);
        var module = runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat"));
        using var pool = runtime.CreatePool(module, new FunctionSettings { ReadyInstances = 1 });
        Assert.Equal(InvocationOutcome.Completed, pool.Invoke(Requests.With()).Outcome);
        Assert.Equal(1, runtime.Stats.ModulesLoaded); // in use: kept, over the bound or not

        _time.Advance(IdleAfter);
        await AdvanceUntil(() => runtime.Stats.ModulesLoaded == 0); // a refill still running defers the release by an interval
        Assert.Equal(1, runtime.Stats.ModuleEvictions);
        Assert.True(module.IsEvicted);

        var diskHits = runtime.Stats.DiskCacheHits;
        var result = pool.Invoke(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Contains("Hello from WAT", result.Text());
        Assert.Equal(diskHits + 1, runtime.Stats.DiskCacheHits);
        Assert.Equal(0, runtime.Stats.Compiles - 1); // compiled once, at the start
    }

    [Fact]
    public void Within_the_memory_bound_an_idle_functions_module_stays_in_memory()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings());
        pool.Invoke(Requests.With());
        _time.Advance(IdleAfter);
        Assert.False(pool.Stats.ModuleLoaded);
        Assert.Equal(1, runtime.Stats.ModulesLoaded);
        Assert.Equal(0, runtime.Stats.ModuleEvictions);
    }

    [Fact]
    public void A_module_no_route_refers_to_leaves_memory_at_once_and_the_disk_after_the_grace_period()
    {
        using var runtime = Runtime();
        var module = runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat"));
        var first = runtime.CreatePool(module, new FunctionSettings { Name = "a" });
        var second = runtime.CreatePool(module, new FunctionSettings { Name = "b" });
        first.Invoke(Requests.With());
        var artifact = Assert.Single(Directory.GetFiles(_cache, "*.cwasm", SearchOption.AllDirectories));

        first.Dispose();
        Assert.Equal(1, runtime.Stats.ModulesLoaded); // the second route still refers to it
        second.Dispose();
        Assert.Equal(0, runtime.Stats.ModulesLoaded);
        Assert.True(module.IsEvicted);

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(File.Exists(artifact), "deleted before the grace period");
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(File.Exists(artifact), "kept past the grace period");
    }

    [Fact]
    public void Without_a_disk_cache_a_module_no_route_refers_to_stays_in_memory_within_the_bound_and_a_hold_keeps_it()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { ScaleInterval = Interval, InlineRuns = 0 }, time: _time);
        var module = runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat"));
        runtime.CreatePool(module, new FunctionSettings()).Dispose();
        Assert.Equal(1, runtime.Stats.ModulesLoaded); // only a compile could bring it back
        Assert.False(module.IsEvicted);

        using var hold = runtime.Hold(module);
        Assert.Same(module, hold.Module);
        using var pool = runtime.CreatePool(hold.Module, new FunctionSettings());
        Assert.Equal(InvocationOutcome.Completed, pool.Invoke(Requests.With()).Outcome);
    }

    [Fact]
    public void A_hold_on_a_module_the_cache_let_go_loads_the_digest_again_from_disk()
    {
        using var runtime = Runtime(moduleMemory: 1);
        var module = runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat"));
        runtime.LoadOrCompile("sha256:echo", Fixtures.Bytes("echo")); // over the bound: the unused hello leaves
        Assert.True(module.IsEvicted);

        using var hold = runtime.Hold(module);
        Assert.NotSame(module, hold.Module);
        Assert.Equal(module.Digest, hold.Module.Digest);
        runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin"));
        Assert.False(hold.Module.IsEvicted); // held: not let go, over the bound or not
    }

    [Fact]
    public void Over_its_bound_the_disk_cache_deletes_artifacts_no_route_refers_to_but_keeps_those_in_use()
    {
        using var runtime = Runtime(diskBytes: 0);
        var used = runtime.LoadOrCompile(DigestOf("hello-wat"), Fixtures.Bytes("hello-wat"));
        var unused = runtime.LoadOrCompile(DigestOf("echo"), Fixtures.Bytes("echo"));
        using var pool = runtime.CreatePool(used, new FunctionSettings());
        var gone = runtime.CreatePool(unused, new FunctionSettings());
        gone.Dispose();

        _time.Advance(TimeSpan.FromMinutes(1));
        var left = Directory.GetFiles(_cache, "*.cwasm", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension);
        Assert.Equal([used.Digest["sha256:".Length..]], left);
    }

    [Fact]
    public async Task Deploying_never_depends_on_instance_slots_a_thousand_pools_fit_in_eight_slots()
    {
        using var runtime = Runtime(slots: 8);
        var module = runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat"));
        var pools = Enumerable.Range(0, 1000)
            .Select(i => runtime.CreatePool(module, new FunctionSettings { Name = $"f{i}", ReadyInstances = 4 }))
            .ToList();
        Assert.Equal(0, runtime.Stats.LiveInstances);
        Assert.All(pools.Take(20), p => Assert.Equal(InvocationOutcome.Completed, p.Invoke(Requests.With()).Outcome));
        pools.ForEach(p => p.Dispose());
        await Until(() => runtime.Stats.LiveInstances == 0); // a refill that was making an instance deletes it
        await AdvanceUntil(() => runtime.Stats.Pools == 0); // disposed pools that were in use let go at the next pass
    }

    [Fact]
    public async Task A_request_that_finds_every_slot_taken_by_ready_instances_of_other_functions_reclaims_one()
    {
        using var runtime = Runtime(slots: 8);
        var module = runtime.LoadOrCompile("sha256:spin", Fixtures.Bytes("spin"));
        using var first = runtime.CreatePool(module, new FunctionSettings { Name = "first", ReadyInstances = 3 });
        using var second = runtime.CreatePool(module, new FunctionSettings { Name = "second", ReadyInstances = 3 });
        using var third = runtime.CreatePool(module, new FunctionSettings { Name = "third", ReadyInstances = 3, MaxConcurrency = 8 });
        await RaiseDemand(first, 3);
        await RaiseDemand(second, 3);

        // Ready instances stop at three quarters of the slots (a quarter stays for on-demand instantiation): 6 of 8.
        for (var i = 0; i < 20 && runtime.Stats.LiveInstances < 6; i++)
        {
            first.Invoke(Requests.With());
            second.Invoke(Requests.With());
            await Task.Delay(20);
        }

        Assert.True(runtime.Stats.LiveInstances >= 5, $"{runtime.Stats.LiveInstances} ready");

        // Four requests at once: two take the free slots, two take slots of the others' ready instances.
        var runs = Enumerable.Range(0, 4).Select(_ => third.InvokeAsync(Requests.With(("SPIN_MS", "300"))).AsTask()).ToList();
        Assert.All(await Task.WhenAll(runs), r => Assert.Equal(InvocationOutcome.Completed, r.Outcome));
        Assert.True(first.Stats.Ready + second.Stats.Ready <= 4, "no ready instance was reclaimed");
    }

    [Fact]
    public async Task An_invocation_cancelled_before_it_runs_gives_its_admission_back_once()
    {
        using var runtime = Runtime();
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")),
            new FunctionSettings { MaxConcurrency = 1 });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.InvokeAsync(Requests.With(), cancelled.Token));
        Assert.Equal(0, pool.Stats.InFlight);
        Assert.Equal(InvocationOutcome.Completed, (await pool.InvokeAsync(Requests.With())).Outcome);
        Assert.Equal(0, pool.Stats.InFlight);
    }

    private static string DigestOf(string fixture) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Fixtures.Bytes(fixture)));

    /// <summary>Bursts of concurrent requests (each finding fewer ready than in flight) until the target reaches <paramref name="target"/>.</summary>
    private static async Task RaiseDemand(FunctionPool pool, int target)
    {
        for (var burst = 0; burst < 50 && pool.Stats.TargetReady < target; burst++)
        {
            var runs = Enumerable.Range(0, 2 * target).Select(_ => pool.InvokeAsync(Requests.With(("SPIN_MS", "30"))).AsTask());
            Assert.All(await Task.WhenAll(runs), r => Assert.Equal(InvocationOutcome.Completed, r.Outcome));
        }

        Assert.Equal(target, pool.Stats.TargetReady);
    }

    private async Task AdvanceUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(10);
            _time.Advance(Interval);
        }

        Assert.True(condition(), "not reached within 100 scale intervals");
    }

    /// <summary>Refills come in batches, once half of the target is used: takes instances until a batch fills it.</summary>
    private static Task UntilRefilled(FunctionPool pool, int ready) => Until(() =>
    {
        if (pool.Stats.Ready < ready)
        {
            pool.Invoke(Requests.With());
        }

        return pool.Stats.Ready == ready;
    });

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the pool did not reach the expected state within 10 s (the refill thread is real)");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
