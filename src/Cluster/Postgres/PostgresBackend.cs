using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Offers the <c>postgres</c> backend through <see cref="StoreFactory"/>: a front end (the module,
/// the REST server, a silo) calls <see cref="Register"/> once, and from then on a store is opened
/// with backend <c>postgres</c> and a namespace as its path. The connection string comes from the
/// <c>VOXSCHEDULER_POSTGRES</c> environment variable, or from <see cref="Register"/>'s argument
/// (read by the caller from a file or a credential), never from a path or a request.
/// </summary>
public static class PostgresBackend
{
    /// <summary>The backend's name in <see cref="StoreFactory"/>.</summary>
    public const string Name = "postgres";

    /// <summary>
    /// Registers the backend. Idempotent: a later call replaces the connection string of an
    /// earlier one (null: <see cref="PostgresResultStore.ConnectionVariable"/> at each open).
    /// </summary>
    public static void Register(string? connectionString = null) =>
        StoreFactory.RegisterBackend(Name,
            async (storeNamespace, options, cancellationToken) =>
                await PostgresResultStore.OpenAsync(connectionString, storeNamespace, options, cancellationToken).ConfigureAwait(false),
            (storeNamespace, cancellationToken) => PostgresResultStore.ExistsAsync(connectionString, storeNamespace, cancellationToken));
}
