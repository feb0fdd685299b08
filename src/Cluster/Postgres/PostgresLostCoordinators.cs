using System.Text.RegularExpressions;
using Npgsql;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// Ends, in every store of a database, the execution records that silos declared dead left
/// unfinished: a silo killed while coordinating executions (SIGKILL, power loss) writes nothing,
/// so the surviving silos write for it. Each record becomes <c>Interrupted</c> with
/// <see cref="ExecutionOwner.LostCoordinatorReason"/>, by one conditional UPDATE that only matches
/// a record still Pending or Running and coordinated by one of the given silos: of several silos
/// sweeping at once exactly one changes a record, a record that ended is never changed, and a
/// silo not given (a live one: only the cluster's death declarations are passed) is never touched.
/// Stores of schema versions before <see cref="PostgresSchema.CoordinatorVersion"/> record no
/// coordinator and are left alone.
/// </summary>
internal static partial class PostgresLostCoordinators
{
    /// <summary>Most silos one sweep takes (the rest wait for the next): a bound on the statement's arrays.</summary>
    public const int MaxSilos = 1024;

    /// <summary>What a sweep did: records changed, and the stores whose update the server refused (each with why).</summary>
    public sealed record Outcome(int Changed, IReadOnlyList<string> Failed);

    /// <summary>
    /// Interrupts the unfinished records of <paramref name="deadSilos"/> (as the cluster names them,
    /// <c>address:port@generation</c>) in every store of the database; returns how many changed.
    /// A store whose update the server refuses (its permissions, a trigger) is skipped and named in
    /// <see cref="Outcome.Failed"/>: it does not keep the others' records Running.
    /// </summary>
    /// <exception cref="StorageException">No connection string, or a bad one.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached (the caller tries again later).</exception>
    public static async Task<int> InterruptAsync(string? connectionString, IReadOnlyCollection<string> deadSilos, CancellationToken cancellationToken) =>
        (await SweepAsync(connectionString, deadSilos, cancellationToken).ConfigureAwait(false)).Changed;

    /// <inheritdoc cref="InterruptAsync"/>
    public static async Task<Outcome> SweepAsync(string? connectionString, IReadOnlyCollection<string> deadSilos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadSilos);
        if (deadSilos.Count == 0) return new Outcome(0, []);
        if (deadSilos.Count > MaxSilos) throw new ArgumentOutOfRangeException(nameof(deadSilos), deadSilos.Count, $"At most {MaxSilos} silos per sweep.");
        var lease = PostgresResultStore.AcquireSource(connectionString, prepare: false);

        try
        {
            var silos = deadSilos.ToArray();
            var reasons = silos.Select(ExecutionOwner.LostCoordinatorReason).ToArray();
            await using var connection = await lease.Source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var changed = 0;
            var failed = new List<string>();
            foreach (var schema in await StoreSchemasAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                // The name goes into the statement: only names of the form this code gives its schemas (hex), whatever else the database holds.
                if (!StoreSchemaName().IsMatch(schema)) continue;
                await using var update = new NpgsqlCommand(
                    $"UPDATE {schema}.executions AS e SET status = '{ExecutionOwner.InterruptedStatus}', error = d.reason, " +
                    "completed_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint " +
                    "FROM unnest($1::text[], $2::text[]) AS d(silo, reason) " +
                    "WHERE e.coordinator = d.silo AND e.status IN ('Pending', 'Running')", connection);
                update.Parameters.AddWithValue(silos);
                update.Parameters.AddWithValue(reasons);
                try
                {
                    changed += await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName
                                                      or PostgresErrorCodes.UndefinedColumn)
                {
                    // Dropped (or its store deleted) between the listing and the update: nothing of it to end.
                }
                catch (PostgresException e) when (!IsConnectionLevel(e))
                {
                    failed.Add($"{schema}: {e.SqlState} {e.MessageText}");
                }
            }

            return new Outcome(changed, failed);
        }
        finally
        {
            await PostgresDataSources.ReleaseAsync(lease).ConfigureAwait(false);
        }
    }

    // The server or the connection is in trouble (connection exception, insufficient resources, operator
    // intervention): the whole sweep is tried again later rather than the store skipped.
    private static bool IsConnectionLevel(PostgresException e) => e.SqlState.StartsWith("08", StringComparison.Ordinal)
        || e.SqlState.StartsWith("53", StringComparison.Ordinal) || e.SqlState.StartsWith("57", StringComparison.Ordinal);

    // The schemas whose execution table records a coordinator (schema version 3 and later).
    private static async Task<List<string>> StoreSchemasAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT n.nspname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON a.attrelid = c.oid " +
            "JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid " +
            "WHERE c.relname = 'executions' AND c.relkind = 'r' AND a.attname = 'coordinator' AND NOT a.attisdropped AND n.nspname LIKE 'vox\\_%' " +
            "ORDER BY n.nspname", connection);
        var schemas = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) schemas.Add(reader.GetString(0));
        return schemas;
    }

    [GeneratedRegex("^vox_[0-9a-f]{24}$", RegexOptions.CultureInvariant)]
    private static partial Regex StoreSchemaName();
}
