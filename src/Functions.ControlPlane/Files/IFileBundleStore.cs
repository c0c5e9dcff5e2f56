using Functions.Files;

namespace Functions.ControlPlane.Files;

/// <summary>
/// Where bundles are kept: their canonical tar, listing and summary. Every method streams: no implementation may
/// hold a whole archive in memory. Postgres by default (<see cref="PostgresFileBundleStore"/>); an object store can
/// replace it. Which releases mount a bundle stays in Postgres (<c>release_route_files</c>) whatever the store.
/// </summary>
public interface IFileBundleStore
{
    /// <summary>
    /// Stores a canonical tar read from <paramref name="canonicalTar"/> with its summary, all or nothing. False when a
    /// bundle of that digest is already stored (then nothing is written), also when a concurrent upload of the same
    /// bundle won the race.
    /// </summary>
    Task<bool> AddAsync(BundleSummary summary, Stream canonicalTar, CancellationToken cancel);

    /// <summary>The canonical tar of a stored bundle, to be read once and disposed; null when there is none.</summary>
    Task<FileBundleContent?> OpenReadAsync(string digest, CancellationToken cancel);

    /// <summary>Deletes a bundle unless a release mounts it.</summary>
    Task<FileBundleDeletion> DeleteAsync(string digest, CancellationToken cancel);
}

/// <summary>A stored bundle's canonical tar: <see cref="Length"/> bytes to read from <see cref="Content"/>.</summary>
public sealed class FileBundleContent(long length, Stream content) : IAsyncDisposable
{
    public long Length { get; } = length;

    public Stream Content { get; } = content;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

public enum FileBundleDeletion { Deleted, NotFound, InUse }
