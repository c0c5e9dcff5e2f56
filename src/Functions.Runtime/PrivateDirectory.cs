using System.Runtime.Versioning;
using Functions.Runtime.Native;

namespace Functions.Runtime;

/// <summary>
/// A directory only the worker's user may change, for what the worker trusts as it finds it on disk (compiled code,
/// verified file bundles): created 0700 (parents too) when missing, and refused when another user owns it or any other
/// user may write it. The same rules as the compiled-module cache's (<c>CacheKey</c>).
/// </summary>
[UnsupportedOSPlatform("windows")]
public static class PrivateDirectory
{
    /// <summary>Creates <paramref name="directory"/> when missing; throws <see cref="InvalidOperationException"/>, naming
    /// <paramref name="setting"/>, when it is not private to this process's user.</summary>
    public static void Ensure(string directory, string what, string setting)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (!WasmtimeNative.TryGetOwnerAndMode(directory, out var owner, out var mode))
        {
            throw new InvalidOperationException(
                $"Cannot read the owner of the {what} {directory} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }

        var user = WasmtimeNative.GetEffectiveUserId();
        if (owner != user)
        {
            throw new InvalidOperationException(
                $"The {what} {directory} is owned by user {owner}, not by this process's user {user}, which trusts what it finds " +
                $"there: point {setting} at a directory of the worker's user, or remove this one.");
        }

        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException(
                $"The {what} {directory} has mode {Convert.ToString((int)mode, 8)}, writable by other users, and this process " +
                $"trusts what it finds there. Run `chmod 700 {directory}`, or point {setting} elsewhere.");
        }
    }
}
