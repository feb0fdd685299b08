using Microsoft.Data.Sqlite;
using SQLitePCL;
using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>
/// A prepared statement driven through SQLitePCL directly, for the store's hot paths (point
/// reads, existence checks, result inserts): binding and stepping without ADO.NET's per-call
/// reader and parameter objects cuts the cost per call several times. Failures surface as
/// <see cref="SqliteException"/>, like the rest of the store's SQLite calls.
/// </summary>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteRawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, index, value));

    public void Bind(int index, byte[]? value)
    {
        if (value is null) BindNull(index);
        else Bind(index, value.AsSpan());
    }

    public void Bind(int index, string? value)
    {
        if (value is null) BindNull(index);
        else Check(raw.sqlite3_bind_text(_statement, index, value));
    }

    public void Bind(int index, NodeId id)
    {
        Span<byte> bytes = stackalloc byte[NodeId.ByteLength];
        id.CopyTo(bytes);
        Check(raw.sqlite3_bind_blob(_statement, index, bytes));
    }

    /// <summary>Binds a result's lookup pair (schema 3): its store key at <paramref name="index"/>, its id at the next index.</summary>
    public void BindKeyAndId(int index, NodeId id)
    {
        Check(raw.sqlite3_bind_int64(_statement, index, id.StoreKey));
        Bind(index + 1, id);
    }

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Steps once: true when a row is available. Call <see cref="Reset"/> when done with the statement.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        raw.sqlite3_reset(_statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    /// <summary>Steps the bound statement once and resets it: true when it yields a row (existence probes).</summary>
    public bool HasRow()
    {
        try
        {
            return Step();
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Runs a statement that returns no rows; returns the number of rows it changed.</summary>
    public int Execute()
    {
        try
        {
            while (Step())
            {
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Reset();
        }
    }

    public void Reset() => raw.sqlite3_reset(_statement);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public int Int32(int column) => raw.sqlite3_column_int(_statement, column);

    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_statement, column);

    public byte[]? BlobOrNull(int column) => IsNull(column) ? null : Blob(column).ToArray();

    public string? Text(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _statement.Dispose();
}
