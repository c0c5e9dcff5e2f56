using Functions.Modules;

namespace Functions.Runtime;

public static class CompiledModuleInspection
{
    /// <summary>
    /// Inspects <paramref name="bytes"/> through the module a runtime already compiled from them, when there is one,
    /// instead of compiling them a second time.
    /// </summary>
    public static InspectionResult Inspect(this ModuleInspector inspector, ReadOnlySpan<byte> bytes, CompiledModule? compiled) =>
        inspector.Inspect(bytes, compiled?.Module);
}
