using Functions.ControlPlane.Apps.Checks;
using Functions.Runtime;
using Functions.Testing;

namespace Functions.ControlPlane.Tests.Apps.Checks;

/// <summary>
/// The limits the deploy checks state are the ones the workers' engine enforces: a runtime configured as a worker's
/// (Wasmtime's pooling defaults) takes a module right at each limit and refuses one just past it.
/// </summary>
public sealed class PoolingLimitsTests : IDisposable
{
    private readonly WasmRuntime _runtime = new(new RuntimeOptions { PoolingTotalInstances = 8, ExecutionThreads = 1 });

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public void A_table_of_exactly_the_pooling_limit_instantiates_on_the_workers_engine()
    {
        var wasm = ModuleWithTable((uint)PoolingLimits.TableElements);

        var module = _runtime.LoadOrCompile("sha256:table-at-limit", wasm);
        _runtime.CreatePool(module, new FunctionSettings { ReadyInstances = 0 }).Dispose();

        Assert.Equal([PoolingLimits.TableElements], ModuleDeclarations.TryRead(wasm)!.TableMinimumElements);
    }

    [Fact]
    public void A_table_one_element_past_the_pooling_limit_is_refused_by_the_workers_engine()
    {
        Assert.ThrowsAny<Exception>(() => Instantiate("sha256:table-past-limit", ModuleWithTable((uint)PoolingLimits.TableElements + 1)));
    }

    [Fact]
    public void More_globals_than_an_instance_holds_are_refused_by_the_workers_engine()
    {
        var wasm = Fixtures.Bytes("manyglobals");

        Assert.ThrowsAny<Exception>(() => Instantiate("sha256:many-globals", wasm));
        Assert.True(ModuleDeclarations.TryRead(wasm)!.DefinedGlobals * PoolingLimits.BytesPerGlobal > PoolingLimits.InstanceStateBytes);
    }

    [Fact]
    public void The_declarations_reader_sees_imports_memories_tables_and_globals()
    {
        var badImport = ModuleDeclarations.TryRead(Fixtures.Bytes("badimport"))!;
        var bigMemory = ModuleDeclarations.TryRead(Fixtures.Bytes("bigmemory"))!;
        var hello = ModuleDeclarations.TryRead(Fixtures.Bytes("hello-wat"))!;

        Assert.Equal(["env.host_secret (function)", "wasi_snapshot_preview1.proc_exit (function)"], badImport.Imports.Select(i => i.ToString()));
        Assert.Equal([32UL], bigMemory.MemoryMinimumPages);
        Assert.Equal(0, bigMemory.TableCount);
        Assert.Equal(1, hello.DefinedGlobals);
        Assert.Null(ModuleDeclarations.TryRead([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7f]));
    }

    private void Instantiate(string digest, byte[] wasm) =>
        _runtime.CreatePool(_runtime.LoadOrCompile(digest, wasm), new FunctionSettings { ReadyInstances = 0 }).Dispose();

    /// <summary>A module with one funcref table of <paramref name="elements"/> elements and an empty <c>_start</c>.</summary>
    private static byte[] ModuleWithTable(uint elements)
    {
        var leb = WasmBinary.Leb128(elements);
        return
        [
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                                  // types: () -> ()
            0x03, 0x02, 0x01, 0x00,                                              // functions: type 0
            0x04, (byte)(3 + leb.Length), 0x01, 0x70, 0x00, .. leb,              // table: funcref, minimum only
            0x07, 0x0a, 0x01, 0x06, .. "_start"u8, 0x00, 0x00,                   // export _start
            0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,                                  // code: an empty body
        ];
    }
}
