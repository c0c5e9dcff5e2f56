using System.Collections.Concurrent;
using System.Security.Cryptography;
using Functions.Files;
using Functions.Runtime;
using Functions.Worker.Hosting;
using Functions.Worker.Metrics;
using Functions.Worker.Serving;
using Microsoft.Extensions.Options;

namespace Functions.Worker.Sync;

/// <summary>
/// The file bundles routes mount read-only, unpacked once per digest under <c>&lt;Worker:CacheDirectory&gt;/bundles/&lt;hex&gt;</c>
/// (a private directory, as the compiled-module cache: 0700, the worker's user's, refused otherwise). A bundle is
/// downloaded from the control plane as it streams in, verified by <see cref="BundleExtractor"/> while it is unpacked
/// into <c>.tmp-&lt;hex&gt;-&lt;random&gt;</c>, and renamed into place only once its digest checked: a folder named by a
/// digest is always whole and verified, and a crash leaves only <c>.tmp-*</c> folders, removed at start-up. Callers
/// asking for a digest being downloaded wait on the same download.
/// <para>
/// A folder leaves when no applied route refers to its digest and the retired pools that mounted it have ended their
/// last request (<see cref="Collect"/>, after every sync); so the first state applied after start-up also removes the
/// bundles it no longer uses. Collecting and building run on the synchronizer's one loop, never at the same time.
/// </para>
/// </summary>
public sealed partial class BundleCache
{
    public const string FolderName = "bundles";
    private const string TemporaryPrefix = ".tmp-";

    // The control plane checked the bundle against its own (configurable) limits when it was uploaded, and the digest
    // is checked here: the worker takes whatever the control plane stored.
    private static readonly BundleLimits Unlimited = new(long.MaxValue, long.MaxValue, int.MaxValue);

    private readonly ControlPlaneClient _controlPlane;
    private readonly TimeSpan _downloadIdleTimeout;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger<BundleCache> _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _downloads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly List<FunctionPool> _draining = [];
    private readonly Lock _collecting = new();

    public BundleCache(ControlPlaneClient controlPlane, WorkerMetrics metrics, IOptions<WorkerOptions> options, ILogger<BundleCache> logger)
    {
        _controlPlane = controlPlane;
        _downloadIdleTimeout = options.Value.DownloadIdleTimeout;
        _metrics = metrics;
        _logger = logger;
        Root = Path.Combine(options.Value.CacheDirectory, FolderName);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The worker's file bundle cache needs Linux (its ownership checks).");
        }

        PrivateDirectory.Ensure(Root, "file bundle cache", "Worker:CacheDirectory");
        foreach (var folder in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (folder.Name.StartsWith(TemporaryPrefix, StringComparison.Ordinal))
            {
                Delete(folder.FullName); // an unpacking or a removal a crash interrupted
            }
            else if (IsHex(folder.Name))
            {
                _bytes[folder.Name] = SizeOf(folder);
            }
        }

        UpdateGauges();
    }

    /// <summary>The folder holding every bundle.</summary>
    public string Root { get; }

    /// <summary>Where the bundle <paramref name="digest"/> is (or will be) unpacked.</summary>
    public string PathOf(string digest) => Path.Combine(Root, BundleDigest.Hex(digest));

    /// <summary>
    /// The folder of <paramref name="digest"/>, downloading and unpacking it first when it is not here. Throws
    /// <see cref="InvalidDataException"/> when what arrived is not that bundle (nothing is kept then), and
    /// <see cref="HttpRequestException"/> when the control plane does not give it.
    /// </summary>
    public Task<string> EnsureAsync(string digest, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        if (Directory.Exists(path))
        {
            return Task.FromResult(path);
        }

        var download = new Lazy<Task<string>>(() => DownloadAsync(digest, path, cancellationToken));
        var shared = _downloads.GetOrAdd(digest, download);
        if (ReferenceEquals(shared, download))
        {
            // Forgotten once done, whatever the outcome: a failed download is tried again at the next sync.
            _ = download.Value.ContinueWith(_ => _downloads.TryRemove(KeyValuePair.Create(digest, download)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return shared.Value.WaitAsync(cancellationToken);
    }

    private async Task<string> DownloadAsync(string digest, string path, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the caller registers the download before it runs
        if (Directory.Exists(path))
        {
            return path; // unpacked by a download that ended since the caller looked
        }

        var hex = Path.GetFileName(path);
        var temporary = Path.Combine(Root, $"{TemporaryPrefix}{hex}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        BundleSummary summary;
        try
        {
            summary = await _controlPlane.GetBundleAsync(digest, _downloadIdleTimeout,
                (body, cancel) => BundleExtractor.ExtractAsync(body, temporary, digest, Unlimited, cancel), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is BundleIntegrityException or BundleFormatException)
        {
            Delete(temporary);
            _metrics.BundleDownloads.WithLabels("corrupt").Inc();
            throw new InvalidDataException(
                $"File bundle {digest} arrived from the control plane but is not that bundle ({error.Message}): refused, nothing " +
                "of it is mounted. It is downloaded again at the next periodic check; if it keeps failing, upload the files again.", error);
        }
        catch
        {
            Delete(temporary);
            _metrics.BundleDownloads.WithLabels("failed").Inc();
            throw;
        }

        try
        {
            Directory.Move(temporary, path);
        }
        catch (IOException) when (Directory.Exists(path))
        {
            Delete(temporary); // another process sharing the cache unpacked it first: use theirs
        }

        _metrics.BundleDownloads.WithLabels("ok").Inc();
        _bytes[hex] = summary.UnpackedBytes;
        UpdateGauges();
        LogUnpacked(digest, summary.FileCount, summary.UnpackedBytes);
        return path;
    }

    /// <summary>
    /// After a sync: removes the bundles no route of <paramref name="current"/> mounts, except those that pools retired
    /// now or earlier (<paramref name="retired"/>) may still be reading, until their last request ends.
    /// </summary>
    public void Collect(ServingState current, IEnumerable<FunctionPool> retired)
    {
        lock (_collecting)
        {
            _draining.AddRange(retired.Where(pool => pool.Settings.Volumes.Any(v => BundleOf(v.HostPath) is not null)));
            // A retired pool with nothing in flight is disposed (DisposeWhenIdle): none of its instances runs again.
            _draining.RemoveAll(pool => pool.Stats.InFlight == 0);

            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var app in current.Apps.Values)
            {
                foreach (var (_, route) in app.Routes)
                {
                    foreach (var mount in route.Binding.Files ?? [])
                    {
                        keep.Add(BundleDigest.Hex(mount.Digest));
                    }
                }
            }

            foreach (var pool in _draining)
            {
                foreach (var volume in pool.Settings.Volumes)
                {
                    if (BundleOf(volume.HostPath) is { } hex)
                    {
                        keep.Add(hex);
                    }
                }
            }

            foreach (var folder in new DirectoryInfo(Root).EnumerateDirectories())
            {
                if (IsHex(folder.Name) && !keep.Contains(folder.Name) && !_downloads.ContainsKey(BundleDigest.Prefix + folder.Name))
                {
                    Remove(folder);
                }
            }
        }
    }

    /// <summary>Removes a bundle's folder: renamed out of the way first, so a crash midway leaves a <c>.tmp-*</c> folder
    /// (removed at start-up), never a partial folder under its digest.</summary>
    private void Remove(DirectoryInfo folder)
    {
        var hex = folder.Name; // MoveTo renames the DirectoryInfo too
        var doomed = Path.Combine(Root, $"{TemporaryPrefix}{hex}-gone-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        try
        {
            folder.MoveTo(doomed);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogRemoveFailed(folder.FullName, error.Message);
            return;
        }

        var digest = BundleDigest.Prefix + hex;
        _bytes.TryRemove(hex, out _);
        UpdateGauges();
        LogRemoved(digest);
        Delete(doomed);
    }

    /// <summary>Deletes a folder of the cache, first giving back the write permission the unpacking took from its
    /// directories (files are 0444, directories 0555; symlinks are removed, never followed).</summary>
    private void Delete(string path)
    {
        try
        {
            BundleExtractor.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogRemoveFailed(path, error.Message);
        }
    }

    private static readonly EnumerationOptions WithoutLinks = new()
    {
        RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false,
    };

    private static long SizeOf(DirectoryInfo folder)
    {
        try
        {
            return folder.EnumerateFiles("*", WithoutLinks).Sum(file => file.Length);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The digest hex of a host path that is a bundle folder of this cache, else null.</summary>
    private string? BundleOf(string hostPath) =>
        string.Equals(Path.GetDirectoryName(hostPath), Root, StringComparison.Ordinal) && IsHex(Path.GetFileName(hostPath))
            ? Path.GetFileName(hostPath)
            : null;

    private static bool IsHex(string name) => name.Length == 64 && name.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private void UpdateGauges()
    {
        _metrics.Bundles.Set(_bytes.Count);
        _metrics.BundleBytes.Set(_bytes.Values.Sum());
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Unpacked file bundle {Digest}: {Files} files, {Bytes} bytes")]
    private partial void LogUnpacked(string digest, int files, long bytes);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Removed file bundle {Digest}: no route mounts it any more")]
    private partial void LogRemoved(string digest);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning,
        Message = "Could not remove {Path} from the file bundle cache: {Error}. It is tried again at the next start-up or sync.")]
    private partial void LogRemoveFailed(string path, string error);
}
