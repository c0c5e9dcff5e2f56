using Functions.Testing;

namespace Functions.Runtime.Tests;

/// <summary>Bad options and bad function settings fail at start-up or pool creation, saying what to fix.</summary>
public sealed class ValidationTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    public static TheoryData<string, Action<RuntimeOptions>> BadOptions => new()
    {
        { "EpochTick", o => o.EpochTick = TimeSpan.Zero },
        { "PoolingTotalInstances", o => o.PoolingTotalInstances = 0 },
        { "MaxMemoryMbPerInstance", o => o.MaxMemoryMbPerInstance = 5000 },
        { "LinearMemoryKeepResidentBytes", o => o.LinearMemoryKeepResidentBytes = -1 },
        { "ExecutionThreads", o => (o.ExecutionThreads, o.MaxExecutionThreads) = (8, 4) },
        { "IdleShrinkAfter", o => o.IdleShrinkAfter = TimeSpan.Zero },
        { "DefaultReadyInstances", o => o.DefaultReadyInstances = -1 },
        { "TableKeepResidentBytes", o => o.TableKeepResidentBytes = -1 },
        { "InlineRuns", o => o.InlineRuns = -1 },
        { "InlineRunThreshold", o => o.InlineRunThreshold = TimeSpan.FromSeconds(2) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Unusable_options_stop_the_runtime_from_starting_and_name_the_setting(string setting, Action<RuntimeOptions> spoil)
    {
        var options = new RuntimeOptions();
        spoil(options);
        var error = Assert.Throws<ArgumentException>(() => new WasmRuntime(options));
        Assert.Contains("Runtime:" + setting, error.Message);
        Assert.False(new RuntimeOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Default_options_are_valid()
    {
        Assert.Empty(new RuntimeOptions().Validate());
        Assert.True(new RuntimeOptionsValidator().Validate(null, new RuntimeOptions()).Succeeded);
    }

    public static TheoryData<string, FunctionSettings> BadSettings => new()
    {
        { "memory limit", new FunctionSettings { MemoryLimitBytes = 5000L << 20 } },
        { "memory limit", new FunctionSettings { MemoryLimitBytes = 0 } },
        { "timeout", new FunctionSettings { Timeout = TimeSpan.Zero } },
        { "max concurrency", new FunctionSettings { MaxConcurrency = 0 } },
        { "ready instances", new FunctionSettings { ReadyInstances = -1 } },
        { "does not exist", new FunctionSettings { Volumes = [new Volume("/data", "/no/such/folder")] } },
        { "absolute guest", new FunctionSettings { Volumes = [new Volume("data", "/tmp")] } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Unusable_function_settings_are_refused_when_the_pool_is_made(string problem, FunctionSettings settings)
    {
        var error = Assert.Throws<ArgumentException>(() => fixture.Runtime.CreatePool(fixture.Load("hello-wat"), settings));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void An_entrypoint_that_takes_parameters_is_refused_with_its_signature()
    {
        var error = Assert.Throws<EntrypointMissingException>(() => fixture.Pool("badstart"));
        Assert.Contains("takes 1 parameter(s)", error.Message);
    }

    [Fact]
    public void A_module_importing_a_host_function_other_than_wasi_is_refused_naming_the_import()
    {
        var error = Assert.Throws<ModuleLinkException>(() => fixture.Pool("badimport"));
        Assert.Contains("host_secret", error.Message);
        Assert.Contains("wasi_snapshot_preview1", error.Message);
    }

    [Fact]
    public async Task RunOnce_answers_a_missing_entrypoint_as_an_outcome()
    {
        var result = await fixture.Runtime.RunOnceAsync(fixture.Load("noentry"), new FunctionSettings(), Requests.With());
        Assert.Equal(InvocationOutcome.EntrypointMissing, result.Outcome);
        Assert.Contains("other", result.Detail);
    }

    [Fact]
    public void A_memory_limit_below_what_the_module_starts_with_is_refused_when_the_pool_is_made()
    {
        var error = Assert.Throws<ModuleLinkException>(() =>
            fixture.Pool("hello-c", new FunctionSettings { Name = "tiny", MemoryLimitBytes = 64 * 1024 }));
        Assert.Contains("tiny", error.Message);
        Assert.Contains("memory", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_module_that_is_not_webassembly_does_not_compile()
    {
        Assert.ThrowsAny<Exception>(() => fixture.Runtime.LoadOrCompile("sha256:junk", "not wasm"u8));
        Assert.False(fixture.Runtime.TryLoadCached("sha256:junk", out _));
    }

    [Fact]
    public void A_module_using_gc_reference_types_does_not_compile_instead_of_aborting_the_process()
    {
        Assert.Throws<Wasmtime.WasmtimeException>(() => fixture.Runtime.LoadOrCompile("sha256:anyref", WasmBinary.AnyrefExport));
    }

    [Fact]
    public void A_component_is_not_a_module_this_runtime_runs()
    {
        Assert.ThrowsAny<Exception>(() => fixture.Runtime.LoadOrCompile("sha256:component", Fixtures.Bytes("component")));
    }
}
