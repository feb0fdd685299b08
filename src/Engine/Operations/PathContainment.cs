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
    /// True when an existing file, and the final target of any link it is, lie inside one of
    /// <paramref name="roots"/>.
    /// </summary>
    public static bool IsReadableWithin(IEnumerable<string> roots, string path)
    {
        var rootList = roots.ToList();
        if (!rootList.Any(r => IsInside(r, path)))
        {
            return false;
        }

        FileSystemInfo? target;
        try
        {
            target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            return false; // a broken or looping link is not readable anyway
        }

        return target is null || rootList.Any(r => IsInside(r, target.FullName));
    }
}
