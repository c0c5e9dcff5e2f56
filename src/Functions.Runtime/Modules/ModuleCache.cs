using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Functions.Runtime.Modules;

/// <summary>
/// Compiled modules by digest: in memory, then on disk as Wasmtime's serialized artifacts. The disk key includes the
/// engine settings, because an artifact only loads into an engine configured like the one that wrote it.
/// A file that does not load (corrupt, truncated, from another engine) is deleted and the module recompiled.
/// </summary>
internal sealed partial class ModuleCache(Engine engine, string? directory, string engineKey, ILogger logger)
{
    private readonly ConcurrentDictionary<string, CompiledModule> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _locks = new(StringComparer.Ordinal);
    private long _compiles;
    private long _diskHits;
    private long _compileTicks;

    public long Compiles => Interlocked.Read(ref _compiles);

    public long DiskHits => Interlocked.Read(ref _diskHits);

    public TimeSpan CompileTime => TimeSpan.FromTicks(Interlocked.Read(ref _compileTicks));

    public bool TryGet(string digest, out CompiledModule? module)
    {
        if (_memory.TryGetValue(digest, out module))
        {
            return true;
        }

        lock (_locks.GetOrAdd(digest, _ => new object()))
        {
            if (_memory.TryGetValue(digest, out module))
            {
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

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var module = Module.FromBytes(engine, digest, wasm);
            Interlocked.Add(ref _compileTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
            Interlocked.Increment(ref _compiles);
            SaveToDisk(digest, module);
            return _memory[digest] = new CompiledModule(digest, module, fromCache: false);
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
            var module = Module.DeserializeFile(engine, digest, path);
            Interlocked.Increment(ref _diskHits);
            return _memory[digest] = new CompiledModule(digest, module, fromCache: true);
        }
        catch (Exception error) when (error is WasmtimeException or IOException or UnauthorizedAccessException)
        {
            LogUnusableArtifact(path, error.Message);
            TryDelete(path);
            return null;
        }
    }

    private void SaveToDisk(string digest, Module module)
    {
        var path = PathFor(digest);
        if (path is null)
        {
            return;
        }

        // Written beside and renamed into place, so a reader never sees half an artifact.
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(temporary, module.Serialize());
            File.Move(temporary, path, overwrite: true);
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
            ? digest[7..]
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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Cached artifact {Path} could not be loaded ({Error}); deleted it and will recompile.")]
    private partial void LogUnusableArtifact(string path, string error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Could not write the compiled artifact {Path} ({Error}); the next start recompiles.")]
    private partial void LogCacheWriteFailed(string path, string error);
}
