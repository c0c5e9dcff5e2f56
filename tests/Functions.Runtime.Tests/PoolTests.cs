using Functions.Testing;

namespace Functions.Runtime.Tests;

public sealed class PoolTests
{
    [Fact]
    public async Task An_idle_pool_shrinks_to_nothing_and_an_empty_pool_instantiates_on_demand()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { IdleShrinkAfter = TimeSpan.FromMilliseconds(300) });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")),
            new FunctionSettings { ReadyInstances = 3 });
        await Until(() => pool.Stats.Ready == 0);
        var result = await pool.InvokeAsync(Requests.With());
        Assert.Equal(InvocationOutcome.Completed, result.Outcome);
        Assert.Equal(1, pool.Stats.Misses);
        await Until(() => pool.Stats.Ready > 0);
    }

    [Fact]
    public void Without_its_own_setting_a_pool_may_keep_up_to_the_runtime_default_ready()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { DefaultReadyInstances = 3 });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings());
        Assert.Equal(3, pool.Stats.MaxReady);
        Assert.Equal(0, pool.Stats.TargetReady);
        Assert.Equal(0, runtime.Stats.LiveInstances);
    }

    [Fact]
    public async Task Disposing_a_pool_releases_its_ready_instances()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")), new FunctionSettings { ReadyInstances = 4 });
        await pool.InvokeAsync(Requests.With());
        await Until(() => pool.Stats.Ready == 1);
        pool.Dispose();
        await Until(() => runtime.Stats.LiveInstances == 0);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.InvokeAsync(Requests.With()));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1024L * 1024)]
    public async Task Instances_start_clean_whether_the_allocator_resets_memory_by_memset_or_by_returning_pages(long keepResident)
    {
        using var runtime = new WasmRuntime(new RuntimeOptions { LinearMemoryKeepResidentBytes = keepResident });
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:counter", Fixtures.Bytes("counter")), new FunctionSettings { ReadyInstances = 2 });
        for (var i = 0; i < 20; i++)
        {
            var result = await pool.InvokeAsync(Requests.With());
            Assert.Contains("global=1 static=1 data=42", result.Text());
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the pool did not reach the expected state within 10 s");
            await Task.Delay(20);
        }
    }
}
