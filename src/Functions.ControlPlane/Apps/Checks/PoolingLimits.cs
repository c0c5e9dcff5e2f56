namespace Functions.ControlPlane.Apps.Checks;

/// <summary>
/// The per-module limits of Wasmtime's pooling allocator that the workers run with. The runtime
/// (<c>WasmRuntime</c>) sets the slot counts and the memory size from its options and leaves these at Wasmtime's
/// defaults (<c>PoolingAllocationConfig</c>); a module past them is refused by every worker.
/// </summary>
internal static class PoolingLimits
{
    /// <summary>Defined and imported tables per module (<c>max_tables_per_module</c>).</summary>
    public const int TablesPerModule = 1;

    /// <summary>Elements a table may start with (<c>table_elements</c>).</summary>
    public const ulong TableElements = 20_000;

    /// <summary>Linear memories per module (<c>max_memories_per_module</c>).</summary>
    public const int MemoriesPerModule = 1;

    /// <summary>
    /// Bytes of instance state (the <c>VMContext</c>: globals, imported and escaping functions' records, tables' and
    /// memories' descriptors) per instance (<c>max_core_instance_size</c>, 1 MiB).
    /// </summary>
    public const int InstanceStateBytes = 1 << 20;

    /// <summary>What one defined global takes of <see cref="InstanceStateBytes"/> (a <c>VMGlobalDefinition</c>).</summary>
    public const int BytesPerGlobal = 16;
}
