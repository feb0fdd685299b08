using Npgsql;

namespace VoxScheduler.Cluster.Postgres;

/// <summary>
/// One connection pool per database per process, shared by every store (namespace) opened on it.
/// A pool per store made a process's connections grow with the namespaces it had touched: a silo
/// keeps the stores its workers used, each pool kept its idle connections, and after about twenty
/// namespaces PostgreSQL refused every new client ("53300: too many clients", first seen in the
/// cluster bench, which uses a fresh namespace per pass). The pool closes with the last store that
/// uses it.
/// </summary>
internal static class PostgresDataSources
{
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, Entry> s_entries = new(StringComparer.Ordinal);

    /// <summary>Pools open now (one per distinct connection string with a store open on it).</summary>
    internal static int OpenPools
    {
        get
        {
            lock (s_gate) return s_entries.Count;
        }
    }

    /// <summary>The shared pool for <paramref name="builder"/>'s database; give it back with <see cref="ReleaseAsync"/>.</summary>
    /// <exception cref="ArgumentException">The connection string is not valid (the message names the keyword, never the password).</exception>
    public static Lease Acquire(NpgsqlConnectionStringBuilder builder)
    {
        var key = builder.ConnectionString;
        lock (s_gate)
        {
            if (!s_entries.TryGetValue(key, out var entry))
            {
                entry = new Entry(NpgsqlDataSource.Create(builder));
                s_entries.Add(key, entry);
            }

            entry.Users++;
            return new Lease(key, entry.Source);
        }
    }

    /// <summary>Gives a pool back; the last user's release closes it.</summary>
    public static ValueTask ReleaseAsync(Lease lease)
    {
        lock (s_gate)
        {
            if (!s_entries.TryGetValue(lease.Key, out var entry) || !ReferenceEquals(entry.Source, lease.Source)) return ValueTask.CompletedTask;
            if (--entry.Users > 0) return ValueTask.CompletedTask;
            s_entries.Remove(lease.Key);
        }

        return lease.Source.DisposeAsync();
    }

    /// <summary>One store's use of a shared pool.</summary>
    internal sealed record Lease(string Key, NpgsqlDataSource Source);

    private sealed class Entry(NpgsqlDataSource source)
    {
        public NpgsqlDataSource Source { get; } = source;

        public int Users { get; set; }
    }
}
