using System.Linq.Expressions;
using Functions.Data;

namespace Functions.ControlPlane.Modules;

/// <summary>The server side of <see cref="ModuleView"/>: the one mapping from a stored module.</summary>
internal static class ModuleViews
{
    /// <summary>An expression, so queries project it without loading the bytes.</summary>
    public static readonly Expression<Func<StoredModule, ModuleView>> Projection = m => new()
    {
        Digest = m.Digest,
        Size = m.Size,
        UploadedAt = m.UploadedAt,
        Exports = m.Exports,
        Entrypoints = m.Entrypoints,
        Imports = Imports(m.Imports),
        Source = m.SourceReference == null
            ? null
            : new ModuleSource(m.SourceReference, m.SourceManifestDigest!, m.SourcePulledAt!.Value),
    };

    private static readonly Func<StoredModule, ModuleView> Map = Projection.Compile();

    public static ModuleView From(StoredModule m) => Map(m);

    // A method, not a lambda: EF reads the jsonb column and calls it on the client.
    private static List<Contracts.Api.ModuleImport> Imports(List<Functions.Data.ModuleImport> imports) =>
        [.. imports.Select(i => new Contracts.Api.ModuleImport(i.Module, i.Name, i.Kind))];
}
