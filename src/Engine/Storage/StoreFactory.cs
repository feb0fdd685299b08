namespace VoxScheduler.Storage;

/// <summary>Opens stores by backend name and path.</summary>
public static class StoreFactory
{
    /// <summary>The backend names accepted by <see cref="OpenAsync"/>.</summary>
    public static IReadOnlyList<string> Backends { get; } = ["sqlite", "filesystem", "hybrid"];

    /// <summary>
    /// Opens (creating or migrating as needed) the store of <paramref name="backend"/> in the
    /// folder <paramref name="path"/>.
    /// </summary>
    /// <exception cref="StorageException">Unknown backend, or the path cannot hold a store (the message says why).</exception>
    public static ValueTask<IResultStore> OpenAsync(string backend, string path, StoreOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("storage: filled in by the storage work");
}
