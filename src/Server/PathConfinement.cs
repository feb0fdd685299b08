namespace VoxScheduler.Server;

/// <summary>
/// Keeps client-supplied paths inside the data root: relative paths resolve against the root,
/// <c>..</c> segments are refused outright, absolute paths must already lie inside the root,
/// and symbolic links met on the way are followed so a link cannot lead outside.
/// </summary>
internal static class PathConfinement
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Resolves <paramref name="requested"/> against <paramref name="root"/> and returns the full
    /// path, or throws a 400 problem naming <paramref name="field"/> when it would leave the root.
    /// </summary>
    public static string Resolve(string root, string requested, string field)
    {
        if (string.IsNullOrWhiteSpace(requested))
            throw Refuse(field, requested, "it is empty");
        if (requested.Contains('\0'))
            throw Refuse(field, requested, "it contains a NUL character");

        var segments = requested.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s == ".."))
            throw Refuse(field, requested, "'..' segments are not allowed");

        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.IsPathRooted(requested) ? requested : Path.Combine(fullRoot, requested));
        if (!IsInside(fullRoot, full))
            throw Refuse(field, requested, "it is outside the server's data root");

        // A link inside the root may point anywhere: compare where the path really leads.
        if (!Operations.PathContainment.IsWithin(fullRoot, full))
            throw Refuse(field, requested, "it leads outside the server's data root through a symbolic link");

        return full;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (both full paths).</summary>
    public static bool IsInside(string root, string path)
    {
        var r = Path.TrimEndingDirectorySeparator(root);
        var p = Path.TrimEndingDirectorySeparator(path);
        if (string.Equals(r, p, PathComparison)) return true;
        return p.StartsWith(r + Path.DirectorySeparatorChar, PathComparison)
            || (Path.AltDirectorySeparatorChar != Path.DirectorySeparatorChar && p.StartsWith(r + Path.AltDirectorySeparatorChar, PathComparison));
    }

    private static ApiProblemException Refuse(string field, string requested, string reason) =>
        ApiProblemException.BadRequest(
            $"{field} '{requested}' is refused: {reason}. Paths are relative to the server's data root.",
            [new Dtos.ErrorDetail { Message = $"{field}: {reason}.", Code = "PathNotAllowed", Path = "$." + field }]);
}
