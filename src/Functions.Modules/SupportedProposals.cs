using Wasmtime;

namespace Functions.Modules;

/// <summary>The WebAssembly proposals every engine of the platform turns off.</summary>
public static class SupportedProposals
{
    /// <summary>
    /// GC, typed function references and exception handling off. Their reference types (<c>anyref</c>,
    /// <c>(ref $t)</c>, <c>exnref</c>) cannot be described through Wasmtime's C API: reading the exports or imports of
    /// a module that uses them aborts the whole process ("support for non-externref and non-funcref references is not
    /// implemented"). WASI preview1 command modules do not use them; such a module now fails to compile, with a message.
    /// </summary>
    public static Config WithSupportedProposals(this Config config) =>
        config.WithGc(false).WithFunctionReferences(false).WithExceptions(false);

    /// <summary>The same, for the engine key of compiled artifacts.</summary>
    public const string Key = ";gc=0;typedfuncref=0;exceptions=0";
}
