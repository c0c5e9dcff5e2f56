using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Functions.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Wasmtime;

namespace Functions.Runtime.Modules;

/// <summary>
/// Compiled modules by digest: in memory, then on disk as Wasmtime's serialized artifacts under a folder named by
/// the engine settings (an artifact only loads into an engine configured like the one that wrote it). A file is the
/// artifact exactly as Wasmtime serialized it, then a trailer: magic, the artifact's length and its HMAC-SHA256 under
/// the cache's per-host key (<see cref="CacheKey"/>: only the worker's user can read it, so no other local user can
/// forge an artifact the worker would run; a checksum anyone can recompute, as the XxHash128 this replaced, cannot
/// tell a tampered artifact from a sound one). Wasmtime trusts what it deserializes, so a file that is corrupt,
/// truncated, foreign or forged is deleted, counted and logged, and the module recompiled, never loaded. The artifact
/// comes first so Wasmtime can memory-map the file instead of copying it in: measured on the 2.8 MB artifact of the
/// <c>big</c> fixture, read + SHA-256 + deserialize from bytes took ≈ 7 ms, a hash + deserialize from the file ≈ 1 ms
/// (ELF readers ignore the trailer; the HMAC's cost against XxHash128 is in docs/performance.md). Files are written
/// beside and renamed into place, without an fsync: the trailer's check catches a file a crash left incomplete.
/// <para>
/// Memory is bounded: modules are counted by their artifact's size, and past <c>memoryBytes</c> the least recently
/// used ones that nobody is using leave memory (a module still referenced by a route only when its artifact is on
/// disk, to be deserialized again on its next use). A module no route refers to any more (<see cref="RemoveReference"/>)
/// leaves memory at once (with a disk cache; without one it stays among the least recently used, since only a compile
/// could bring it back), and its artifact leaves the disk after <c>diskGrace</c>; the disk is bounded too
/// (<see cref="SweepDisk"/>), by deleting the artifacts of unreferenced modules, oldest first.
/// </para>
/// </summary>
internal sealed partial class ModuleCache(
    Engine engine, string? directory, byte[]? key, string engineKey, Func<Module, InstancePreHandle> link, ILogger logger,
    TimeProvider time, long memoryBytes = long.MaxValue, long diskBytes = long.MaxValue, TimeSpan diskGrace = default)
{
    private static ReadOnlySpan<byte> Magic => "FNCWASM3"u8;
    private const int HashLength = HMACSHA256.HashSizeInBytes;
    private const int TrailerLength = 8 + sizeof(long) + HashLength;

    private readonly ConcurrentDictionary<string, CompiledModule> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _references = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unreferencedSince = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private long _bytes;
    private long _evictions;
    private long _compiles;
    private long _compileTicks;
    private long _memoryHits;
    private long _diskHits;
    private long _diskWrites;
    private long _diskRejected;

    public long Compiles => Interlocked.Read(ref _compiles);

    public TimeSpan CompileTime => TimeSpan.FromTicks(Interlocked.Read(ref _compileTicks));

    public long MemoryHits => Interlocked.Read(ref _memoryHits);

    public long DiskHits => Interlocked.Read(ref _diskHits);

    public long DiskWrites => Interlocked.Read(ref _diskWrites);

    public long DiskRejected => Interlocked.Read(ref _diskRejected);

    public int Count => _memory.Count;

    /// <summary>Bytes of the modules in memory, as counted against the bound.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Modules that left memory (bound, or no route refers to them).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    public bool TryGet(string digest, out CompiledModule? module)
    {
        if (_memory.TryGetValue(digest, out module))
        {
            Interlocked.Increment(ref _memoryHits);
            module.Touch(time.GetTimestamp());
            return true;
        }

        lock (LockFor(digest))
        {
            if (_memory.TryGetValue(digest, out module))
            {
                Interlocked.Increment(ref _memoryHits);
                module.Touch(time.GetTimestamp());
                return true;
            }

            module = LoadFromDisk(digest);
        }

        if (module is not null)
        {
            EvictOverBound(keep: module); // the caller is about to use it
        }

        return module is not null;
    }

    /// <summary>A route (a pool) now refers to <paramref name="digest"/>: keep its artifact on disk.</summary>
    public void AddReference(string digest)
    {
        _references.AddOrUpdate(digest, 1, static (_, count) => count + 1);
        _unreferencedSince.TryRemove(FileNameFor(digest), out _);
    }

    /// <summary>A route no longer refers to <paramref name="digest"/>; at the last one the module leaves memory at once.</summary>
    public void RemoveReference(string digest)
    {
        while (_references.TryGetValue(digest, out var count))
        {
            if (count > 1)
            {
                if (_references.TryUpdate(digest, count - 1, count))
                {
                    return;
                }

                continue;
            }

            if (_references.TryRemove(KeyValuePair.Create(digest, count)))
            {
                _unreferencedSince[FileNameFor(digest)] = time.GetUtcNow();
                if (directory is null)
                {
                    return; // without a disk cache it could come back only by a compile: it stays, within the bound
                }

                lock (LockFor(digest))
                {
                    if (!_references.ContainsKey(digest) && _memory.TryRemove(digest, out var module))
                    {
                        Forget(module);
                    }
                }

                return;
            }
        }
    }

    public bool IsReferenced(string digest) => _references.ContainsKey(digest);

    /// <summary>The lock of one digest: loading, compiling and letting it go are serialized per module.</summary>
    private object LockFor(string digest) => _locks.GetOrAdd(digest, static _ => new object());

    private void Add(CompiledModule module)
    {
        module.Touch(time.GetTimestamp());
        _memory[module.Digest] = module;
        Interlocked.Add(ref _bytes, module.SizeBytes);
    }

    private void Forget(CompiledModule module)
    {
        Interlocked.Add(ref _bytes, -module.SizeBytes);
        Interlocked.Increment(ref _evictions);
        module.Evict();
        LogEvicted(module.Digest, module.SizeBytes);
    }

    /// <summary>
    /// Lets the least recently used modules go until memory is within the bound. Only modules nobody uses right now,
    /// and, of those a route refers to, only those whose artifact is on disk (their next use deserializes it again).
    /// </summary>
    public void EvictOverBound(CompiledModule? keep = null)
    {
        if (Interlocked.Read(ref _bytes) <= memoryBytes)
        {
            return;
        }

        lock (_evicting)
        {
            var candidates = _memory.Values.Where(m => m.Users == 0 && m != keep).OrderBy(m => m.LastUsed).ToList();
            foreach (var module in candidates)
            {
                if (Interlocked.Read(ref _bytes) <= memoryBytes)
                {
                    return;
                }

                lock (LockFor(module.Digest))
                {
                    if (module.Users > 0 || (IsReferenced(module.Digest) && !OnDisk(module.Digest))
                        || !_memory.TryRemove(KeyValuePair.Create(module.Digest, module)))
                    {
                        continue;
                    }

                    Forget(module);
                }
            }
        }
    }

    private bool OnDisk(string digest) => PathFor(digest) is { } path && File.Exists(path);

    /// <summary>
    /// Deletes the artifacts of modules no route has referred to for the grace period, then, while the folder is over
    /// its bound, those of other unreferenced modules, least recently written first. Artifacts of referenced modules
    /// stay: a route's next request may need them.
    /// </summary>
    public void SweepDisk()
    {
        if (directory is null || !Directory.Exists(Path.Combine(directory, engineKey)))
        {
            return;
        }

        var now = time.GetUtcNow();
        var files = new List<FileInfo>();
        var kept = KeptFileNames();
        long total = 0;
        foreach (var file in new DirectoryInfo(Path.Combine(directory, engineKey)).EnumerateFiles("*.cwasm"))
        {
            total += file.Length;
            if (kept.Contains(file.Name))
            {
                continue;
            }

            var since = _unreferencedSince.GetOrAdd(file.Name, now);
            if (now - since >= diskGrace)
            {
                total -= Delete(file);
                continue;
            }

            files.Add(file);
        }

        foreach (var file in files.OrderBy(f => f.LastWriteTimeUtc))
        {
            if (total <= diskBytes)
            {
                break;
            }

            total -= Delete(file);
        }
    }

    /// <summary>The artifact file names of the modules a route refers to or that are in memory: they stay on disk.</summary>
    private HashSet<string> KeptFileNames() =>
        _references.Keys.Concat(_memory.Keys).Select(FileNameFor).ToHashSet(StringComparer.Ordinal);

    /// <summary>Deletes an artifact unless a route came to refer to it meanwhile; the bytes freed.</summary>
    private long Delete(FileInfo file)
    {
        lock (_evicting)
        {
            if (KeptFileNames().Contains(file.Name))
            {
                return 0;
            }

            TryDelete(file.FullName);
            _unreferencedSince.TryRemove(file.Name, out _);
            LogArtifactDeleted(file.FullName);
            return file.Length;
        }
    }

    public CompiledModule GetOrCompile(string digest, ReadOnlySpan<byte> wasm)
    {
        if (TryGet(digest, out var cached))
        {
            return cached!;
        }

        lock (LockFor(digest))
        {
            if (_memory.TryGetValue(digest, out cached))
            {
                return cached;
            }

            var started = Stopwatch.GetTimestamp();
            var module = Module.FromBytes(engine, digest, wasm);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Interlocked.Add(ref _compileTicks, elapsed.Ticks);
            Interlocked.Increment(ref _compiles);
            LogCompiled(digest, wasm.Length, elapsed.TotalMilliseconds);

            // Without a disk copy the size is estimated from the bytes (compiled code is a few times the WebAssembly).
            var size = SaveToDisk(digest, module) ?? 4L * wasm.Length;
            cached = new CompiledModule(digest, module, fromCache: false, link, size);
            Add(cached);
        }

        EvictOverBound(keep: cached);
        return cached!;
    }

    private CompiledModule? LoadFromDisk(string digest)
    {
        var path = PathFor(digest);
        if (path is null || LoadArtifact(digest, path) is not { Module: not null } module)
        {
            return null;
        }

        Interlocked.Increment(ref _diskHits);
        var compiled = new CompiledModule(digest, module.Module!, fromCache: true, link, module.Size);
        Add(compiled);
        return compiled;
    }

    /// <summary>
    /// A module of the runtime's own (its self-test), compiled once per engine settings and then loaded from the disk
    /// cache like a function's, saving a Cranelift compile at every start. Kept apart from functions' modules: its
    /// file is named <c>&lt;name&gt;-&lt;hash of the bytes&gt;.runtime</c>, and it is neither counted in the cache's
    /// figures nor kept in memory.
    /// </summary>
    public Module GetOrCompileRuntimeModule(string name, ReadOnlySpan<byte> wasm)
    {
        var path = directory is null ? null
            : Path.Combine(directory, engineKey, $"{name}-{Convert.ToHexStringLower(SHA256.HashData(wasm))[..16]}.runtime");
        if (path is not null && LoadArtifact(name, path, count: false) is { Module: { } cached })
        {
            return cached;
        }

        var module = Module.FromBytes(engine, name, wasm);
        if (path is not null)
        {
            SaveArtifact(path, module, count: false);
        }

        return module;
    }

    /// <summary>The module in the artifact file at <paramref name="path"/>, or null (a damaged or foreign file is deleted).</summary>
    private (Module? Module, long Size) LoadArtifact(string name, string path, bool count = true)
    {
        if (!File.Exists(path))
        {
            return default;
        }

        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            if (ArtifactLength(file) is not { } length)
            {
                Reject(path, "not an artifact this runtime wrote with this host's key: damaged, foreign or forged (HMAC mismatch)", count);
                return default;
            }

            return (Deserialize(name, path, file, length), length);
        }
        catch (Exception error) when (error is WasmtimeException or IOException or UnauthorizedAccessException)
        {
            Reject(path, error.Message, count);
            return default;
        }
    }

    /// <summary>The artifact's length when the file's trailer is intact and its HMAC matches; null otherwise.</summary>
    private long? ArtifactLength(SafeFileHandle file)
    {
        var fileLength = RandomAccess.GetLength(file);
        Span<byte> trailer = stackalloc byte[TrailerLength];
        if (fileLength <= TrailerLength || RandomAccess.Read(file, trailer, fileLength - TrailerLength) != TrailerLength
            || !trailer[..Magic.Length].SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt64LittleEndian(trailer[Magic.Length..]) != fileLength - TrailerLength)
        {
            return null;
        }

        var length = fileLength - TrailerLength;
        var buffer = ArrayPool<byte>.Shared.Rent(checked((int)length));
        Span<byte> actual = stackalloc byte[HashLength];
        try
        {
            var artifact = buffer.AsSpan(0, (int)length);
            for (var offset = 0; offset < artifact.Length;)
            {
                var read = RandomAccess.Read(file, artifact[offset..], offset);
                if (read == 0)
                {
                    return null;
                }

                offset += read;
            }

            HMACSHA256.HashData(key!, artifact, actual);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return CryptographicOperations.FixedTimeEquals(actual, trailer[^HashLength..]) ? length : null;
    }

    /// <summary>
    /// Maps the checked file into Wasmtime. On Linux through <c>/proc/self/fd</c>, so Wasmtime maps the very bytes just
    /// hashed even if the file was replaced meanwhile. Where a file cannot be mapped executable (a <c>noexec</c>
    /// mount), the artifact is read and deserialized from memory instead: slower, never wrong.
    /// </summary>
    private Module Deserialize(string digest, string path, SafeFileHandle file, long length)
    {
        var source = Directory.Exists("/proc/self/fd") ? $"/proc/self/fd/{file.DangerousGetHandle()}" : path;
        try
        {
            return Module.DeserializeFile(engine, digest, source);
        }
        catch (WasmtimeException)
        {
            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
            if (RandomAccess.Read(file, bytes, 0) != bytes.Length)
            {
                throw new IOException($"{path} changed while it was read");
            }

            return Module.Deserialize(engine, digest, bytes);
        }
    }

    private void Reject(string path, string reason, bool count)
    {
        if (count)
        {
            Interlocked.Increment(ref _diskRejected);
        }

        LogUnusableArtifact(path, reason);
        TryDelete(path);
    }

    /// <summary>Writes the artifact; its length, or null when there is no disk cache or the write failed.</summary>
    private long? SaveToDisk(string digest, Module module) =>
        PathFor(digest) is { } path ? SaveArtifact(path, module, count: true) : null;

    private long? SaveArtifact(string path, Module module, bool count)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var artifact = module.Serialize();
            Span<byte> trailer = stackalloc byte[TrailerLength];
            Magic.CopyTo(trailer);
            BinaryPrimitives.WriteInt64LittleEndian(trailer[Magic.Length..], artifact.Length);
            HMACSHA256.HashData(key!, artifact, trailer[^HashLength..]);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                // No fsync: a file cut short by a crash fails the trailer's length and checksum and is recompiled.
                // Syncing cost ≈ 20 ms per module on this VM, a third of a worker's time converging on 1 000 modules.
                file.Write(artifact);
                file.Write(trailer);
            }

            File.Move(temporary, path, overwrite: true);
            if (count)
            {
                Interlocked.Increment(ref _diskWrites);
            }

            return artifact.Length;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            LogCacheWriteFailed(path, error.Message);
            TryDelete(temporary);
            return null;
        }
    }

    private string? PathFor(string digest) =>
        directory is null ? null : Path.Combine(directory, engineKey, FileNameFor(digest));

    private static string FileNameFor(string digest)
    {
        // Digests are "sha256:<hex>"; anything else is hashed so it can never name a path outside the folder.
        var hex = digest.StartsWith(ContentDigest.Prefix, StringComparison.Ordinal) && ContentDigest.Normalize(digest) is { } normalized
            ? ContentDigest.Hex(normalized)
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(digest)));
        return hex + ".cwasm";
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Cached artifact {Path} could not be used ({Error}); deleted it, the module will be recompiled")]
    private partial void LogUnusableArtifact(string path, string error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Could not write the compiled artifact {Path} ({Error}); the next start recompiles")]
    private partial void LogCacheWriteFailed(string path, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "Module {ModuleDigest} ({Bytes} bytes) left memory")]
    private partial void LogEvicted(string moduleDigest, long bytes);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information,
        Message = "Deleted the compiled artifact {Path}: no route has used it for the grace period, or the disk cache is over its bound")]
    private partial void LogArtifactDeleted(string path);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Compiled {ModuleDigest} ({Bytes} bytes) in {Milliseconds:F0} ms")]
    private partial void LogCompiled(string moduleDigest, int bytes, double milliseconds);
}
