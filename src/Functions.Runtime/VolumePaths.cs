namespace Functions.Runtime;

/// <summary>
/// Resolves host paths the way the kernel will (every symlink followed, <c>..</c> applied to the resolved parent,
/// as <c>realpath</c> does), so that a volume checked to be under the root stays under it when mounted. Parts that
/// do not exist yet are kept as written: they cannot be links. The control plane checks volumes with it at deploy and
/// rollback, and each worker again against its own volumes root before it mounts them.
/// </summary>
public static class VolumePaths
{
    private const int MaxLinks = 40;

    /// <summary>The resolved absolute path, or null when following links loops.</summary>
    public static string? Resolve(string absolutePath)
    {
        var pending = new Stack<string>(Split(absolutePath).Reverse());
        var current = "/";
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = current == "/" ? "/" + part : current + "/" + part;
            var target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            foreach (var targetPart in Split(target).Reverse())
            {
                pending.Push(targetPart);
            }

            if (target.StartsWith('/'))
            {
                current = "/";
            }
        }

        return current;
    }

    /// <summary>Whether the resolved <paramref name="path"/> is <paramref name="root"/> or inside it.</summary>
    public static bool IsUnder(string path, string root) =>
        path == root || root == "/" || path.StartsWith(root + "/", StringComparison.Ordinal);

    private static string[] Split(string path) => path.Split('/');

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
