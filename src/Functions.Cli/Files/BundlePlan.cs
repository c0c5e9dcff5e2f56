namespace Functions.Cli.Files;

/// <summary>
/// What a route mounts at one guest path: a bundle uploaded earlier (<see cref="Digest"/>), a local folder to pack
/// (<see cref="Folder"/>), or chosen files and folders placed at bundle paths (<see cref="Entries"/>, for Spin
/// <c>files</c>). Local sources are packed deterministically, so the same content always gives the same digest.
/// </summary>
internal sealed record BundlePlan
{
    /// <summary>A bundle already on the control plane, <c>sha256:&lt;hex&gt;</c>.</summary>
    public string? Digest { get; init; }

    /// <summary>Absolute path of a folder whose tree becomes the bundle.</summary>
    public string? Folder { get; init; }

    /// <summary>Bundle path → absolute local file or folder; sorted by bundle path.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Entries { get; init; }

    /// <summary>How to name the source in messages and tables, e.g. <c>site/</c> or <c>3 files of [component.web]</c>.</summary>
    public required string Description { get; init; }

    /// <summary>Two plans with the same key pack to the same bundle: it is packed and uploaded once.</summary>
    public string Key => Digest
        ?? (Folder is not null ? "folder:" + Folder : "entries:" + string.Join("\n", (Entries ?? []).Select(e => $"{e.Key}\t{e.Value}")));

    public static BundlePlan FromDigest(string digest) => new() { Digest = digest, Description = digest };

    public static BundlePlan FromFolder(string folder, string description) => new() { Folder = folder, Description = description };

    public static BundlePlan FromEntries(IEnumerable<KeyValuePair<string, string>> entries, string description) => new()
    {
        Entries = [.. entries.OrderBy(e => e.Key, StringComparer.Ordinal)],
        Description = description,
    };
}
