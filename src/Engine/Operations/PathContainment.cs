namespace VoxScheduler.Operations;

/// <summary>
/// Decides whether a path lies inside a folder, for the confinement rules of saves, imports and
/// loads. Paths are fully normalised first, so <c>a/../../x</c> cannot slip out; a symbolic link
/// is judged by where it finally points.
/// </summary>
public static class PathContainment
{
    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> itself or lies below it.</summary>
    public static bool IsInside(string root, string path)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var relative = Path.GetRelativePath(fullRoot, Path.GetFullPath(path));
        return relative == "."
            || !(relative == ".."
                 || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                 || relative.StartsWith("../", StringComparison.Ordinal)
                 || Path.IsPathRooted(relative));
    }

    /// <summary>
    /// The one containment test for every file access that must stay in a folder (imports, loads,
    /// saves, store paths): <paramref name="path"/> lies inside <paramref name="root"/> as written
    /// and also once every symbolic link along either path is resolved, component by component —
    /// a linked directory in the middle of the path cannot lead out. Looks only; works the same
    /// whether or not the path exists (components that do not exist are taken as written).
    /// </summary>
    public static bool IsWithin(string root, string path)
    {
        string fullRoot, fullPath;
        try
        {
            fullRoot = Path.GetFullPath(root);
            fullPath = Path.GetFullPath(path);
            return IsInside(fullRoot, fullPath) && IsInside(RealPath(fullRoot), RealPath(fullPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false; // a looping link or an unreadable path cannot be shown to be inside
        }
    }

    /// <summary>True when <paramref name="path"/> is within (<see cref="IsWithin"/>) one of <paramref name="roots"/>.</summary>
    public static bool IsReadableWithin(IEnumerable<string> roots, string path) => roots.Any(r => IsWithin(r, path));

    /// <summary>
    /// <paramref name="fullPath"/> with every symbolic link along its existing part resolved
    /// (components that do not exist yet are kept as written).
    /// </summary>
    /// <exception cref="IOException">More than 64 links on the way (a loop).</exception>
    public static string RealPath(string fullPath)
    {
        var hops = 0;
        return RealPath(fullPath, ref hops);
    }

    private static string RealPath(string fullPath, ref int hops)
    {
        var root = Path.GetPathRoot(fullPath) ?? string.Empty;
        var current = root;
        var rest = fullPath[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        foreach (var component in rest)
        {
            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            if (component == ".") continue;
            var candidate = Path.Combine(current, component);
            FileSystemInfo info = Directory.Exists(candidate) ? new DirectoryInfo(candidate) : new FileInfo(candidate);
            if (info.Exists && info.LinkTarget is not null)
            {
                if (++hops > 64) throw new IOException($"Too many symbolic links under '{fullPath}'.");
                // A link is followed one step at a time so a relative target resolves against the link's folder
                // and a dangling link counts where it points, never as an escape hatch.
                current = RealPath(Path.GetFullPath(info.LinkTarget, current), ref hops);
            }
            else
            {
                current = candidate;
            }
        }

        return current;
    }
}
