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
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 5,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;");

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
