using Functions.Data;
using Functions.Modules;
using Functions.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Functions.ControlPlane.Modules;

/// <summary>
/// The one way a module gets in, whether uploaded or pulled from a registry: the checks an upload passes (Wasmtime
/// compiles it on the workers' engine, WASI preview1, an entrypoint), then one row. The same bytes again are the
/// same module; a pull records where it came from, on a new module or on the one already stored.
/// </summary>
internal sealed class ModuleStore(
    FunctionsDbContext db,
    ModuleInspector inspector,
    Apps.Checks.DeployChecker checker,
    TimeProvider time,
    ILogger<ModuleStore> logger)
{
    /// <summary>Checks and stores <paramref name="bytes"/>; nothing is written unless the module passes.</summary>
    public async Task<ModuleAddOutcome> AddAsync(byte[] bytes, PulledFrom? source, CancellationToken cancel)
    {
        var digest = ModuleDigest.Of(bytes);
        if (await FindAsync(digest, cancel) is { } existing)
        {
            return new ModuleAddOutcome.Existing(source is null ? existing : await RecordSourceAsync(digest, source, cancel));
        }

        // Compiled once, on the workers' engine (the deploy checks'), where the deploy that follows finds it.
        var compiled = await Task.Run(() => checker.TryCompile(digest, bytes), cancel);
        var inspection = inspector.Inspect(bytes, compiled);
        if (inspection.Error is { } error)
        {
            return new ModuleAddOutcome.Invalid(error);
        }

        var info = inspection.Module!;
        var now = Now();
        var module = new StoredModule
        {
            Digest = digest,
            Content = bytes,
            Size = bytes.Length,
            UploadedAt = now,
            Exports = [.. info.Exports],
            Entrypoints = [.. info.Entrypoints],
            Imports = [.. info.Imports.Select(i => new Functions.Data.ModuleImport(i.Module, i.Name, i.Kind))],
            SourceReference = source?.Reference,
            SourceManifestDigest = source?.ManifestDigest,
            SourcePulledAt = source is null ? null : now,
        };
        db.Modules.Add(module);
        try
        {
            await db.SaveChangesAsync(cancel);
        }
        catch (DbUpdateException e) when (Data.PostgresErrors.IsUniqueViolation(e))
        {
            // The same bytes were stored concurrently: theirs is ours.
            db.ChangeTracker.Clear();
            return new ModuleAddOutcome.Existing(source is null
                ? (await FindAsync(digest, cancel))!
                : await RecordSourceAsync(digest, source, cancel));
        }

        Log.ModuleUploaded(logger, digest, module.Size);
        return new ModuleAddOutcome.Created(ModuleViews.From(module));
    }

    // Postgres keeps microseconds: the 201's times are the ones every later read shows.
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }

    public Task<ModuleView?> FindAsync(string digest, CancellationToken cancel) =>
        db.Modules.Where(m => m.Digest == digest).Select(ModuleViews.Projection).SingleOrDefaultAsync(cancel);

    // A re-pull of bytes already stored (uploaded, or pulled through another reference) says where they come from now.
    private async Task<ModuleView> RecordSourceAsync(string digest, PulledFrom source, CancellationToken cancel)
    {
        var now = Now();
        await db.Modules.Where(m => m.Digest == digest).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.SourceReference, source.Reference)
            .SetProperty(m => m.SourceManifestDigest, source.ManifestDigest)
            .SetProperty(m => m.SourcePulledAt, now), cancel);
        return (await FindAsync(digest, cancel))
            ?? throw new InvalidOperationException($"Module {digest} was deleted while its source was being recorded.");
    }
}

/// <summary>The registry reference a module was pulled through, and the manifest digest it resolved to.</summary>
internal sealed record PulledFrom(string Reference, string ManifestDigest);

/// <summary>What <see cref="ModuleStore.AddAsync"/> did.</summary>
internal abstract record ModuleAddOutcome
{
    private ModuleAddOutcome()
    {
    }

    /// <summary>A new module.</summary>
    public sealed record Created(ModuleView Module) : ModuleAddOutcome;

    /// <summary>These bytes were stored already.</summary>
    public sealed record Existing(ModuleView Module) : ModuleAddOutcome;

    /// <summary>The bytes are not a module this platform runs; nothing was stored.</summary>
    public sealed record Invalid(InspectionError Error) : ModuleAddOutcome;
}
