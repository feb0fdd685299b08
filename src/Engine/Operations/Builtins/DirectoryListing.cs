namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// <c>dir(root, pattern, recursive, full_paths)</c> (LANGUAGE.md §7, VoxLogicA-2's signature): the
/// entries (files and folders) under root whose file name matches the glob, ordinal-sorted. The
/// reducer calls it for constant arguments (so each entry is a constant path and a <c>load</c> of
/// it is keyed by the file's content); <c>default.dir</c> calls it at run time otherwise.
/// </summary>
internal static class DirectoryListing
{
    /// <summary>Most entries one call may give: a stranger's pattern cannot make a plan of millions of cases.</summary>
    public const int MaxEntries = 10_000;

    /// <param name="root">The folder, relative paths resolving against <paramref name="workingDirectory"/>.</param>
    /// <param name="pattern">A glob over file names: <c>*</c> and <c>?</c> (no folder separators).</param>
    /// <param name="recursive">Also list the entries of every folder below root.</param>
    /// <param name="fullPaths">Give paths a <c>load</c> can open (absolute; relative to <paramref name="workingDirectory"/> when confined) instead of paths relative to root.</param>
    /// <param name="workingDirectory">Where relative paths resolve.</param>
    /// <param name="readRoot">When set (the REST server's data root), root must lie inside it and no absolute path is answered.</param>
    /// <exception cref="ArgumentException">A bad pattern, a root outside the read root, a missing folder, or too many entries; the message says which.</exception>
    public static string[] List(string root, string pattern, bool recursive, bool fullPaths, string workingDirectory, string? readRoot)
    {
        if (pattern.Length == 0 || pattern.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new ArgumentException($"dir: the pattern '{pattern}' must be a non-empty file-name glob (* and ?), without folder separators.");
        }

        var full = Path.GetFullPath(Path.Combine(workingDirectory, root));
        if (readRoot is not null && !PathContainment.IsWithin(readRoot, full))
        {
            throw new ArgumentException($"dir: '{root}' is outside the data root; only folders inside it can be listed.");
        }

        if (!Directory.Exists(full)) throw new ArgumentException($"dir: the folder '{root}' does not exist.");
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            MatchType = MatchType.Simple,
            MatchCasing = MatchCasing.CaseSensitive,
            IgnoreInaccessible = true,
            AttributesToSkip = 0,
        };
        var entries = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(full, pattern, options))
        {
            if (entries.Count == MaxEntries)
            {
                throw new ArgumentException($"dir: more than {MaxEntries} entries match '{pattern}' under '{root}'; narrow the pattern or split the folder.");
            }

            var path = !fullPaths ? Path.GetRelativePath(full, entry)
                : readRoot is null ? entry
                : Path.GetRelativePath(workingDirectory, entry);
            entries.Add(path.Replace('\\', '/'));
        }

        entries.Sort(StringComparer.Ordinal);
        return [.. entries];
    }
}
