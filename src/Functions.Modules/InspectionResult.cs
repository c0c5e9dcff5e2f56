namespace Functions.Modules;

/// <summary>Either what a module exports and imports, or why it cannot be used.</summary>
public sealed record InspectionResult(ModuleInfo? Module, InspectionError? Error)
{
    public bool IsValid => Module is not null;

    public static InspectionResult Success(ModuleInfo module) => new(module, null);

    public static InspectionResult Failure(InspectionError error) => new(null, error);
}

/// <summary>What a valid module offers and needs.</summary>
/// <param name="Exports">Every exported function, in export order.</param>
/// <param name="Entrypoints">The exported functions with no parameters and no results.</param>
/// <param name="Imports">Every import.</param>
public sealed record ModuleInfo(
    IReadOnlyList<string> Exports,
    IReadOnlyList<string> Entrypoints,
    IReadOnlyList<ModuleImportInfo> Imports);

/// <summary>One import: the module it comes from (e.g. <c>wasi_snapshot_preview1</c>), its name, its kind.</summary>
public sealed record ModuleImportInfo(string Module, string Name, string Kind);

/// <summary>Why bytes were refused, with a message that says what to do instead.</summary>
public sealed record InspectionError(InspectionErrorKind Kind, string Message);

public enum InspectionErrorKind
{
    Empty,
    NotWebAssembly,
    Component,
    CompileFailed,
    NoEntrypoint,
}
