using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>Compiled modules survive a restart on disk; a bad cache file is recompiled, never a crash.</summary>
public sealed class CacheTests : IDisposable
{
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("functions-cache-");

    private WasmRuntime NewRuntime() => new(new RuntimeOptions { CacheDirectory = _cache.FullName });

    [Fact]
    public async Task A_second_runtime_loads_the_module_from_disk_without_compiling()
    {
        var bytes = Fixtures.Bytes("hello-c");
        using (var first = NewRuntime())
        {
            first.LoadOrCompile("sha256:hello", bytes);
            Assert.Equal(1, first.Stats.Compiles);
        }

        using var second = NewRuntime();
        Assert.True(second.TryLoadCached("sha256:hello", out var module));
        Assert.True(module!.FromCache);
        Assert.Equal(0, second.Stats.Compiles);
        using var pool = second.CreatePool(module, new FunctionSettings { ReadyInstances = 1 });
        Assert.Equal(InvocationOutcome.Completed, (await pool.InvokeAsync(Requests.With())).Outcome);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public async Task A_corrupt_cache_file_is_replaced_by_a_fresh_compile(string damage)
    {
        var bytes = Fixtures.Bytes("hello-c");
        using (var first = NewRuntime())
        {
            first.LoadOrCompile("sha256:damaged", bytes);
        }

        var file = Directory.GetFiles(_cache.FullName, "*.cwasm", SearchOption.AllDirectories).Single();
        var content = File.ReadAllBytes(file);
        File.WriteAllBytes(file, damage switch
        {
            "garbage" => System.Text.Encoding.UTF8.GetBytes("this is not a compiled module"),
            "truncated" => content[..(content.Length / 2)],
            _ => [],
        });

        using var second = NewRuntime();
        Assert.False(second.TryLoadCached("sha256:damaged", out _));
        var module = second.LoadOrCompile("sha256:damaged", bytes);
        Assert.False(module.FromCache);
        Assert.Equal(1, second.Stats.Compiles);
        using var pool = second.CreatePool(module, new FunctionSettings { ReadyInstances = 1 });
        Assert.Equal(InvocationOutcome.Completed, (await pool.InvokeAsync(Requests.With())).Outcome);
    }

    [Fact]
    public void Artifacts_of_an_engine_with_other_settings_live_apart()
    {
        using var small = new WasmRuntime(new RuntimeOptions { CacheDirectory = _cache.FullName, MaxMemoryMbPerInstance = 256 });
        using var large = NewRuntime();
        Assert.NotEqual(small.EngineKey, large.EngineKey);
    }

    public void Dispose() => _cache.Delete(recursive: true);
}
