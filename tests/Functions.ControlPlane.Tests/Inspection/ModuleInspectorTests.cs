using Functions.ControlPlane.Tests.Support;
using Functions.Modules;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Inspection;

public sealed class ModuleInspectorTests : IDisposable
{
    private readonly ModuleInspector _inspector = new();

    public void Dispose() => _inspector.Dispose();

    [Fact]
    public void A_wasi_command_module_lists_its_exports_entrypoints_and_wasi_imports()
    {
        var result = _inspector.Inspect(Fixtures.Bytes("hello-c"));

        Assert.True(result.IsValid, result.Error?.Message);
        Assert.Contains("_start", result.Module!.Exports);
        Assert.Contains("_start", result.Module.Entrypoints);
        Assert.Contains(result.Module.Imports, i => i.Module == "wasi_snapshot_preview1" && i.Kind == "function");
    }

    [Fact]
    public void A_module_using_gc_reference_types_is_refused_as_not_compiling_instead_of_aborting_the_process()
    {
        var result = _inspector.Inspect(WasmBinary.AnyrefExport);

        Assert.Equal(InspectionErrorKind.CompileFailed, result.Error?.Kind);
    }

    [Fact]
    public void Every_exported_function_without_parameters_or_results_is_an_entrypoint()
    {
        var module = _inspector.Inspect(Fixtures.Bytes("multi")).Module!;

        Assert.Equal(["_start", "ep1", "ep2"], module.Entrypoints.Order());
    }

    [Fact]
    public void A_function_with_parameters_is_exported_but_not_an_entrypoint()
    {
        var module = _inspector.Inspect(TestModules.RunAndAdd).Module!;

        Assert.Equal(["run", "add"], module.Exports);
        Assert.Equal(["run"], module.Entrypoints);
    }

    [Theory]
    [InlineData("component", InspectionErrorKind.Component, "wasm32-wasip1")]
    [InlineData("badstart", InspectionErrorKind.NoEntrypoint, "_start")]
    public void Fixtures_that_cannot_run_are_refused_with_the_reason(string fixture, InspectionErrorKind kind, string hint)
    {
        var error = _inspector.Inspect(Fixtures.Bytes(fixture)).Error!;

        Assert.Equal(kind, error.Kind);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], InspectionErrorKind> Refused => new()
    {
        { "empty", [], InspectionErrorKind.Empty },
        { "text", "(module)"u8.ToArray(), InspectionErrorKind.NotWebAssembly },
        { "short", [0x00, 0x61, 0x73], InspectionErrorKind.NotWebAssembly },
        { "version 2", TestModules.Version2, InspectionErrorKind.NotWebAssembly },
        { "truncated section", TestModules.Truncated, InspectionErrorKind.CompileFailed },
        { "no exports", TestModules.Empty, InspectionErrorKind.NoEntrypoint },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Bytes_that_are_not_a_usable_core_module_are_refused(string what, byte[] bytes, InspectionErrorKind kind)
    {
        var error = _inspector.Inspect(bytes).Error;

        Assert.NotNull(error);
        Assert.True(kind == error.Kind, $"{what}: expected {kind}, got {error.Kind}: {error.Message}");
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }
}
