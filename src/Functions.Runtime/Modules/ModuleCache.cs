using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Functions.Runtime.Modules;

/// <summary>
/// Compiled modules by digest: in memory, then on disk as Wasmtime's serialized artifacts under a folder named by
/// the engine settings (an artifact only loads into an engine configured like the one that wrote it). Each file
/// carries a SHA-256 of the artifact: Wasmtime trusts what it deserializes, so a file that is corrupt, truncated or
/// foreign is deleted and the module recompiled, never loaded. Files are written beside and renamed into place.
/// </summary>
internal sealed partial class ModuleCache(
    Engine engine, string? directory, string engineKey, Func<Module, InstancePreHandle> link, ILogger logger)
{
    private static ReadOnlySpan<byte> Magic => "FNCWASM1"u8;
    private const int HeaderLength = 8 + SHA256.HashSizeInBytes;

    private readonly ConcurrentDictionary<string, CompiledModule> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _locks = new(StringComparer.Ordinal);
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

    public bool TryGet(string digest, out CompiledModule? module)
    {
        if (_memory.TryGetValue(digest, out module))
        {
            Interlocked.Increment(ref _memoryHits);
            return true;
        }

        lock (_locks.GetOrAdd(digest, _ => new object()))
        {
            if (_memory.TryGetValue(digest, out module))
            {
                Interlocked.Increment(ref _memoryHits);
                return true;
            }

            module = LoadFromDisk(digest);
            return module is not null;
        }
    }

    public CompiledModule GetOrCompile(string digest, ReadOnlySpan<byte> wasm)
    {
        if (TryGet(digest, out var cached))
        {
            return cached!;
        }

        lock (_locks.GetOrAdd(digest, _ => new object()))
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
            SaveToDisk(digest, module);
            return _memory[digest] = new CompiledModule(digest, module, fromCache: false, link);
        }
    }

    private CompiledModule? LoadFromDisk(string digest)
    {
        var path = PathFor(digest);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length <= HeaderLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
                || !SHA256.HashData(bytes.AsSpan(HeaderLength)).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, SHA256.HashSizeInBytes)))
            {
                Reject(path, "not an artifact this runtime wrote, or damaged (checksum mismatch)");
                return null;
            }

            var module = Module.Deserialize(engine, digest, bytes.AsSpan(HeaderLength));
            Interlocked.Increment(ref _diskHits);
            return _memory[digest] = new CompiledModule(digest, module, fromCache: true, link);
        }
        catch (Exception error) when (error is WasmtimeException or IOException or UnauthorizedAccessException)
        {
            Reject(path, error.Message);
            return null;
        }
    }

    private void Reject(string path, string reason)
    {
        Interlocked.Increment(ref _diskRejected);
        LogUnusableArtifact(path, reason);
        TryDelete(path);
    }

    private void SaveToDisk(string digest, Module module)
    {
        var path = PathFor(digest);
        if (path is null)
        {
            return;
        }

        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var artifact = module.Serialize();
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(Magic);
                file.Write(SHA256.HashData(artifact));
                file.Write(artifact);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            Interlocked.Increment(ref _diskWrites);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            LogCacheWriteFailed(path, error.Message);
            TryDelete(temporary);
        }
    }

    private string? PathFor(string digest) =>
        directory is null ? null : Path.Combine(directory, engineKey, FileNameFor(digest));

    private static string FileNameFor(string digest)
    {
        // Digests are "sha256:<hex>"; anything else is hashed so it can never name a path outside the folder.
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 && digest[7..].All(char.IsAsciiHexDigit)
            ? digest[7..].ToLowerInvariant()
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

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Compiled {ModuleDigest} ({Bytes} bytes) in {Milliseconds:F0} ms")]
    private partial void LogCompiled(string moduleDigest, int bytes, double milliseconds);
}
