namespace VoxScheduler.Storage;

/// <summary>Opens stores by backend name and path.</summary>
public static class StoreFactory
{
    /// <summary>The backend names accepted by <see cref="OpenAsync"/>.</summary>
    public static IReadOnlyList<string> Backends { get; } = ["sqlite", "filesystem", "hybrid"];

    /// <summary>
    /// Backends registered by another assembly (<see cref="RegisterBackend"/>): a store named by a
    /// location the backend understands (the cluster's <c>postgres</c> backend: a namespace inside a
    /// database), never a folder of this machine. Case-insensitive.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RegisteredBackend> s_registered = new(StringComparer.Ordinal);

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
        if (s_registered.ContainsKey(name)) return name; // a location the backend names, not a folder
        if (name.Length == 0 || name == AutoBackend) return DetectBackend(path) ?? DefaultBackend;
        if (!Backends.Contains(name))
        {
            throw UnknownBackend(backend);
        }

        return name;
    }

    /// <summary>The backends registered through <see cref="RegisterBackend"/> (none unless an assembly such as the cluster's registered one).</summary>
    public static IReadOnlyList<string> RegisteredBackends => [.. s_registered.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True when <paramref name="backend"/> names a backend registered through <see cref="RegisterBackend"/>.</summary>
    public static bool IsRegistered(string? backend) => s_registered.ContainsKey((backend ?? string.Empty).Trim().ToLowerInvariant());

    /// <summary>
    /// Offers a backend that lives outside the engine (the cluster's shared <c>postgres</c> store):
    /// afterwards <see cref="OpenAsync"/>, <see cref="Exists"/>, <see cref="ResolveBackend"/> and
    /// <see cref="Location"/> accept <paramref name="name"/>, and its stores are named by a location
    /// the backend understands (taken as given: never a path of this machine). Registering a name
    /// again replaces the earlier registration (the module and the server may both register it).
    /// </summary>
    /// <param name="name">The backend name (letters, digits and '-'; not a built-in backend nor <see cref="AutoBackend"/>).</param>
    /// <param name="open">Opens (creating unless read-only) the store at a location.</param>
    /// <param name="exists">True when a store exists at a location; looks only, creates nothing.</param>
    /// <exception cref="ArgumentException">The name is invalid or names a built-in backend.</exception>
    public static void RegisterBackend(string name, Func<string, StoreOptions, CancellationToken, ValueTask<IResultStore>> open,
        Func<string, CancellationToken, ValueTask<bool>> exists)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(exists);
        var key = (name ?? string.Empty).Trim().ToLowerInvariant();
        if (key.Length == 0 || key.Length > 32 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{name}' is not a valid backend name (1-32 letters, digits or '-').", nameof(name));
        }

        if (key == AutoBackend || Backends.Contains(key))
        {
            throw new ArgumentException($"'{key}' is a built-in backend name; a registered backend needs a name of its own.", nameof(name));
        }

        s_registered[key] = new RegisteredBackend(open, exists);
    }

    private static StorageException UnknownBackend(string? backend)
    {
        var registered = s_registered.Keys.Order(StringComparer.Ordinal).ToList();
        var valid = string.Join(", ", Backends.Concat(registered));
        return new StorageException($"Unknown storage backend '{backend}'. Valid backends: {valid} (or {AutoBackend}).");
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
        if (s_registered.TryGetValue(name, out var registered))
        {
            // A store the backend names by location (a namespace in a shared database): no folder here.
            return await registered.Open(path, options, cancellationToken).ConfigureAwait(false);
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
        IsRegistered(backend) ? path : Path.GetFullPath(path);

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
        if (s_registered.TryGetValue(name, out var registered))
        {
            // The registered backend's own look-up (a query to its database): blocks this caller, as a folder probe does.
            return registered.Exists(path, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        if (name != AutoBackend && !Backends.Contains(name))
        {
            throw UnknownBackend(backend);
        }

        var found = DetectBackend(path);
        return found is not null && (name == AutoBackend || found == name);
    }

    private sealed record RegisteredBackend(
        Func<string, StoreOptions, CancellationToken, ValueTask<IResultStore>> Open,
        Func<string, CancellationToken, ValueTask<bool>> Exists);

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
