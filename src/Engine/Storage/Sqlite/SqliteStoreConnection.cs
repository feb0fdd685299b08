using Microsoft.Data.Sqlite;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>Opens tuned connections to a store's database and maps SQLite failures to <see cref="StorageException"/>.</summary>
internal static class SqliteStoreConnection
{
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnlyDatabase = 8;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int NotADatabase = 26;

    // SQLite waits this long inside one call; our own retry loop covers longer waits.
    private const int BusyTimeoutMs = 2000;
    private static readonly TimeSpan RetryBudget = TimeSpan.FromSeconds(120);

    public static SqliteConnection Open(string databasePath, bool readOnly, bool memoryMapped = false)
    {
        if (!readOnly)
        {
            return Open(databasePath, SqliteOpenMode.ReadWriteCreate, memoryMapped);
        }

        try
        {
            return Open(databasePath, SqliteOpenMode.ReadOnly, memoryMapped);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == CantOpen && File.Exists(databasePath))
        {
            // A WAL database is read through its shared-memory file (-shm), which SQLite must be
            // able to create: on read-only media (a read-only mount, a CD, a write-protected
            // share) it cannot. A store closed cleanly has no write-ahead log left, and is then
            // opened as immutable: read directly, no -shm, no locks. A non-empty log holds
            // committed results not yet in the database file; reading without it would lose them.
            var log = new FileInfo(databasePath + "-wal");
            if (log.Exists && log.Length > 0)
            {
                throw new StorageException(
                    $"The store database '{databasePath}' cannot be opened read-only here: its folder is not writable (read-only file system?) and its write-ahead log '{log.Name}' still holds committed results. Open the store once where it is writable (that folds the log into the database), then read it from here.",
                    null, e);
            }

            return Open(new Uri(Path.GetFullPath(databasePath)).AbsoluteUri + "?immutable=1", SqliteOpenMode.ReadOnly, memoryMapped);
        }
    }

    private static SqliteConnection Open(string dataSource, SqliteOpenMode mode, bool memoryMapped)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = dataSource,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 5,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;");
            if (mode == SqliteOpenMode.ReadOnly)
            {
                // Reading the schema makes SQLite open the -shm of a WAL database now, so a folder
                // where that is impossible is found here and not at the first query.
                Execute(connection, "PRAGMA schema_version;");
            }

            // Readers map the database file: large results are copied from the page cache
            // without a read() call per page.
            if (memoryMapped) Execute(connection, "PRAGMA mmap_size=1073741824;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>True when a transaction is open on the connection.</summary>
    public static bool InTransaction(SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    public static bool IsBusy(SqliteException e) => e.SqliteErrorCode is Busy or Locked;

    /// <summary>
    /// Runs a database action, retrying while another connection or process holds a lock, so
    /// "database is locked" never reaches a caller; other SQLite errors become <see cref="StorageException"/>.
    /// </summary>
    public static T Retry<T>(Func<T> action, string location, NodeId? node = null)
    {
        var started = Environment.TickCount64;
        var delay = 1;
        while (true)
        {
            try
            {
                return action();
            }
            catch (SqliteException e) when (IsBusy(e) && Environment.TickCount64 - started < RetryBudget.TotalMilliseconds)
            {
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 100);
            }
            catch (SqliteException e)
            {
                throw Translate(e, location, node);
            }
        }
    }

    public static StorageException Translate(SqliteException e, string location, NodeId? node = null) => e.SqliteErrorCode switch
    {
        NotADatabase => new StorageException($"'{location}' is not a SQLite database (the file is damaged or is something else): {e.Message}", node, e),
        Corrupt => new StorageException($"The store database '{location}' is damaged: {e.Message}", node, e),
        ReadOnlyDatabase => new StorageException($"The store '{location}' is read-only: {e.Message}", node, e),
        Full => new StorageException($"The disk holding the store '{location}' is full: {e.Message}", node, e),
        CantOpen => new StorageException($"The store database '{location}' cannot be opened (missing folder or no permission): {e.Message}", node, e),
        Busy or Locked => new StorageException($"The store '{location}' stayed locked by another process for more than {RetryBudget.TotalSeconds:0} s: {e.Message}", node, e),
        _ => new StorageException($"Store '{location}': {e.Message}", node, e),
    };
}
