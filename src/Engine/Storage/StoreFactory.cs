namespace VoxScheduler.Storage;

/// <summary>Opens stores by backend name and path.</summary>
public static class StoreFactory
{
    /// <summary>The backend names accepted by <see cref="OpenAsync"/>.</summary>
    public static IReadOnlyList<string> Backends { get; } = ["sqlite", "filesystem", "hybrid"];

    /// <summary>
    /// The shared-database backend (the cluster's store). Not in <see cref="Backends"/>, the
    /// backends a user may name with a folder: it is opened by namespace, with the connection
    /// string of <see cref="PostgresResultStore.ConnectionVariable"/>.
    /// </summary>
    public const string PostgresBackend = "postgres";

    /// <summary>
    /// The backend of a new store when none is chosen: hybrid (metadata and small results in
    /// SQLite, large results as files). sqlite stays the single-file choice.
    /// </summary>
    public const string DefaultBackend = "hybrid";

    /// <summary>
    /// The backend name that means "the backend of the store already in the folder, else
    /// <see cref="DefaultBackend"/>", so existing stores keep opening as what they are.
    /// </summary>
    public const string AutoBackend = "auto";

    /// <summary>The file in a store's folder that records its backend, written when the store is created.</summary>
    public const string BackendFileName = "voxstore.backend";

    /// <summary>
    /// The backend to open <paramref name="path"/> with: <paramref name="backend"/> when it names
    /// one, else (null, empty or <see cref="AutoBackend"/>) the backend of the store already there,
    /// else <see cref="DefaultBackend"/>.
    /// </summary>
    /// <exception cref="StorageException">Unknown backend, or an unreadable backend record.</exception>
    public static string ResolveBackend(string? backend, string path)
    {
        var name = (backend ?? string.Empty).Trim().ToLowerInvariant();
        if (name == PostgresBackend) return name; // a namespace in a shared database, not a folder
        if (name.Length == 0 || name == AutoBackend) return DetectBackend(path) ?? DefaultBackend;
        if (!Backends.Contains(name))
        {
            throw new StorageException($"Unknown storage backend '{backend}'. Valid backends: {string.Join(", ", Backends)} (or {AutoBackend}).");
        }

        return name;
    }

    /// <summary>
    /// The backend of the store in the folder <paramref name="path"/>, or null when it holds none:
    /// its record (<see cref="BackendFileName"/>); for stores made before the record, filesystem
    /// when it has the filesystem format file, else sqlite when it has a database, unless its
    /// large-result folder exists (hybrid). Looks only: creates nothing.
    /// </summary>
    /// <exception cref="StorageException">The record names no backend this version knows.</exception>
    public static string? DetectBackend(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        string folder;
        try
        {
            folder = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }

        var record = Path.Combine(folder, BackendFileName);
        if (File.Exists(record))
        {
            string text;
            try
            {
                text = File.ReadAllText(record).Trim().ToLowerInvariant();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StorageException($"The store's backend record '{record}' cannot be read: {e.Message}", null, e);
            }

            return Backends.Contains(text) ? text
                : throw new StorageException($"The store's backend record '{record}' names '{text}', not one of {string.Join(", ", Backends)}.");
        }

        if (File.Exists(Path.Combine(folder, FileSystemResultStore.FormatFile))) return "filesystem";
        if (File.Exists(Path.Combine(folder, SqliteResultStore.DatabaseFileName)))
            return Directory.Exists(Path.Combine(folder, SqliteResultStore.LargeFolderName)) ? "hybrid" : "sqlite";
        return null;
    }

    /// <summary>
    /// Opens (creating or migrating as needed) the store of <paramref name="backend"/> in the
    /// folder <paramref name="path"/>.
    /// </summary>
    /// <exception cref="StorageException">Unknown backend, or the path cannot hold a store (the message says why).</exception>
    public static async ValueTask<IResultStore> OpenAsync(string backend, string path, StoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StoreOptions();
        var name = (backend ?? string.Empty).Trim().ToLowerInvariant();
        if (name == PostgresBackend)
        {
            // A store in a shared database: the path is the store's namespace there, the connection
            // string comes from VOXSCHEDULER_POSTGRES (never from a path or a request).
            return await PostgresResultStore.OpenAsync(null, path, options, cancellationToken).ConfigureAwait(false);
        }

        name = ResolveBackend(backend, path);

        if (options.StreamingThreshold <= 0 || options.InlineThreshold < 0)
        {
            throw new StorageException("StoreOptions.StreamingThreshold must be positive and InlineThreshold not negative.");
        }

        StoreCodec.FromOptions(options);
        var existing = DetectBackend(path);
        if (existing is not null && existing != name)
        {
            // Two backends in one folder would each see half the results (or corrupt each other's files).
            throw new StorageException($"'{Path.GetFullPath(path)}' holds a {existing} store; it cannot be opened as {name} (a folder never mixes backends). Open it as {existing}, or choose another folder.");
        }

        var folder = PrepareFolder(path, options.ReadOnly);
        // The record goes first: a process opening the folder while this one creates the store
        // must not see a database without a record (it would read it as an old sqlite store).
        if (!options.ReadOnly && existing is null) RecordBackend(folder, name);
        try
        {
            IResultStore store = name switch
            {
                "sqlite" => await SqliteResultStore.OpenAsync(folder, options, cancellationToken).ConfigureAwait(false),
                "hybrid" => await HybridResultStore.OpenAsync(folder, options, cancellationToken).ConfigureAwait(false),
                _ => await FileSystemResultStore.OpenAsync(folder, options, cancellationToken).ConfigureAwait(false),
            };
            if (!options.ReadOnly) RecordBackend(folder, name);
            return store;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"The {name} store at '{folder}' cannot be opened: {e.Message}", null, e);
        }
    }

    /// <summary>The canonical location of a store: the full path of a folder, or a database store's namespace as given.</summary>
    public static string Location(string backend, string path) =>
        string.Equals(backend?.Trim(), PostgresBackend, StringComparison.OrdinalIgnoreCase) ? path : Path.GetFullPath(path);

    /// <summary>
    /// True when the folder <paramref name="path"/> holds a store of <paramref name="backend"/>
    /// (<see cref="AutoBackend"/>: of any backend), as <see cref="DetectBackend"/> sees it. Looks
    /// only: never creates a folder or a file, so a reader can ask before opening and a typo never
    /// leaves an empty store behind.
    /// </summary>
    /// <exception cref="StorageException">Unknown backend.</exception>
    public static bool Exists(string backend, string path)
    {
        var name = (backend ?? string.Empty).Trim().ToLowerInvariant();
        if (name != AutoBackend && !Backends.Contains(name))
        {
            throw new StorageException($"Unknown storage backend '{backend}'. Valid backends: {string.Join(", ", Backends)} (or {AutoBackend}).");
        }

        var found = DetectBackend(path);
        return found is not null && (name == AutoBackend || found == name);
    }

    /// <summary>Writes the store's backend record when it has none yet (a store made before the record gets one on its first writable open).</summary>
    private static void RecordBackend(string folder, string backend)
    {
        var record = Path.Combine(folder, BackendFileName);
        if (File.Exists(record)) return;
        var temporary = Path.Combine(folder, $".{BackendFileName}.{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(temporary, backend + Environment.NewLine);
            File.Move(temporary, record, overwrite: false);
        }
        catch (IOException) when (File.Exists(record))
        {
            // Another opener recorded it first; the store was opened as that backend too or failed above.
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Checks that <paramref name="path"/> is (or can become) a writable folder, and says precisely why not.</summary>
    private static string PrepareFolder(string path, bool readOnly)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new StorageException("A store path is required.");
        string folder;
        try
        {
            folder = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StorageException($"'{path}' is not a valid path: {e.Message}", null, e);
        }

        if (File.Exists(folder))
        {
            throw new StorageException($"'{folder}' is a file; a store lives in a folder (give the folder that holds {SqliteResultStore.DatabaseFileName}, or a new folder).");
        }

        if (readOnly)
        {
            if (!Directory.Exists(folder)) throw new StorageException($"There is no store at '{folder}' (the folder does not exist) to open read-only.");
            return folder;
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException($"The store folder '{folder}' cannot be created: permission denied.", null, e);
        }
        catch (IOException e)
        {
            throw new StorageException($"The store folder '{folder}' cannot be created (a file is in the way, or the disk is read-only): {e.Message}", null, e);
        }

        // Probe for write access now, so the user gets "read-only" instead of a failure on the first write.
        var probe = Path.Combine(folder, $".probe-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException($"The store folder '{folder}' is not writable: permission denied (open it with ReadOnly to read it).", null, e);
        }
        catch (IOException e)
        {
            throw new StorageException($"The store folder '{folder}' is not writable (read-only file system?): {e.Message}", null, e);
        }

        return folder;
    }
}
