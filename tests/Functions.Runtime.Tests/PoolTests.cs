using Functions.Testing;

namespace Functions.Runtime.Tests;

public sealed class PoolTests
{
    [Fact]
    public async Task A_pool_fills_ahead_of_demand_and_refills_after_each_request()
    {
        using var runtime = new WasmRuntime(new RuntimeOptions());
        using var pool = runtime.CreatePool(runtime.LoadOrCompile("sha256:hello", Fixtures.Bytes("hello-wat")),
            new FunctionSettings { ReadyInstances = 4 });
        await Until(() => pool.Stats.Ready == 4);
        await pool.InvokeAsync(Requests.With());
        Assert.Equal(1, pool.Stats.Hits);
        await Until(() => pool.Stats.Ready == 4);
        Assert.Equal(5, pool.Stats.Instantiations);
    }

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
