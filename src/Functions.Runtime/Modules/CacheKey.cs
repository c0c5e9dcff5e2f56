using System.Runtime.Versioning;
using System.Security.Cryptography;
using Functions.Runtime.Native;

namespace Functions.Runtime.Modules;

/// <summary>
/// The disk cache holds native code that Wasmtime runs as it finds it, so only this worker's user may write it, and its
/// files carry an HMAC-SHA256 under a per-host random key that no other local user can read. At start the cache
/// directory is made private (created 0700) and checked: owned by the worker's user and writable by no one else,
/// else the runtime refuses to start, saying so. The key is <c>cache.key</c> inside it (32 random bytes, 0600, created
/// once; a key another user could read or write is refused the same way).
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class CacheKey
{
    public const string FileName = "cache.key";
    private const int KeyBytes = 32;

    /// <summary>The cache's HMAC key, creating <paramref name="directory"/> and the key when missing.</summary>
    public static byte[] LoadOrCreate(string directory)
    {
        EnsurePrivateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var file = new FileStream(temporary, options))
            {
                file.Write(RandomNumberGenerator.GetBytes(KeyBytes));
                file.Flush(flushToDisk: true); // a key lost in a crash would only cost recompiles, but a short one would fail the start
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary); // another process sharing the cache made it first: use theirs
            }
        }

        Verify(path, "key file", UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute, "chmod 600");
        var key = File.ReadAllBytes(path);
        if (key.Length != KeyBytes)
        {
            throw new InvalidOperationException(
                $"The disk cache key {path} is {key.Length} bytes instead of {KeyBytes}: delete it (the cache is then " +
                "recompiled once) or point Runtime:CacheDirectory elsewhere.");
        }

        return key;
    }

    private static void EnsurePrivateDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            // Parents too, each 0700 (on Unix the mode applies to every directory this creates).
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Verify(directory, "directory", UnixFileMode.GroupWrite | UnixFileMode.OtherWrite, "chmod 700");
    }

    /// <summary>Refuses <paramref name="path"/> when another user owns it or it has any of <paramref name="forbidden"/>.</summary>
    private static void Verify(string path, string what, UnixFileMode forbidden, string fix)
    {
        if (!WasmtimeNative.TryGetOwnerAndMode(path, out var owner, out var mode))
        {
            throw new InvalidOperationException(
                $"Cannot read the owner of the disk cache {what} {path} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }

        var user = WasmtimeNative.GetEffectiveUserId();
        if (owner != user)
        {
            throw new InvalidOperationException(
                $"The disk cache {what} {path} is owned by user {owner}, not by this process's user {user}: compiled " +
                "artifacts are native code that the worker runs, so only its own user may write them. Point " +
                "Runtime:CacheDirectory (Worker:CacheDirectory) at a directory of the worker's user, or remove this one.");
        }

        if ((mode & forbidden) != 0)
        {
            throw new InvalidOperationException(
                $"The disk cache {what} {path} has mode {Convert.ToString((int)mode, 8)}, open to other users: compiled " +
                $"artifacts are native code that the worker runs. Run `{fix} {path}`, or point Runtime:CacheDirectory " +
                "(Worker:CacheDirectory) elsewhere.");
        }
    }
}
