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

        if (!Backends.Contains(name))
        {
            throw new StorageException($"Unknown storage backend '{backend}'. Valid backends: {string.Join(", ", Backends)}.");
        }

        if (options.StreamingThreshold <= 0 || options.InlineThreshold < 0)
        {
            throw new StorageException("StoreOptions.StreamingThreshold must be positive and InlineThreshold not negative.");
        }

        StoreCodec.FromOptions(options);
        var folder = PrepareFolder(path, options.ReadOnly);
        try
        {
            return name switch
            {
                "sqlite" => await SqliteResultStore.OpenAsync(folder, options, cancellationToken).ConfigureAwait(false),
                "hybrid" => await HybridResultStore.OpenAsync(folder, options, cancellationToken).ConfigureAwait(false),
                _ => await FileSystemResultStore.OpenAsync(folder, options, cancellationToken).ConfigureAwait(false),
            };
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
    /// (its database or format marker). Looks only: never creates a folder or a file, so a reader
    /// can ask before opening and a typo never leaves an empty store behind.
    /// </summary>
    /// <exception cref="StorageException">Unknown backend.</exception>
    public static bool Exists(string backend, string path)
    {
        var name = (backend ?? string.Empty).Trim().ToLowerInvariant();
        if (!Backends.Contains(name))
        {
            throw new StorageException($"Unknown storage backend '{backend}'. Valid backends: {string.Join(", ", Backends)}.");
        }

        if (string.IsNullOrWhiteSpace(path)) return false;
        string folder;
        try
        {
            folder = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }

        var marker = name == "filesystem" ? FileSystemResultStore.FormatFile : SqliteResultStore.DatabaseFileName;
        return File.Exists(Path.Combine(folder, marker));
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
