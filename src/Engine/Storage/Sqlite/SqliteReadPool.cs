using System.Collections.Concurrent;

namespace VoxScheduler.Storage;

/// <summary>
/// A small pool of read sessions. Each caller rents one for the duration of a call (or a
/// stream), so prepared statements are reused across calls and readers never share a connection.
/// </summary>
internal sealed class SqliteReadPool : IDisposable
{
    private const int MaxIdle = 16;

    private readonly string _databasePath;
    private readonly bool _readOnly;
    private readonly int _schemaVersion;
    private readonly ConcurrentBag<SqliteReadSession> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteReadPool(string databasePath, bool readOnly, int schemaVersion)
    {
        _databasePath = databasePath;
        _readOnly = readOnly;
        _schemaVersion = schemaVersion;
    }

    public SqliteReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        return SqliteStoreConnection.Retry(() => new SqliteReadSession(SqliteStoreConnection.Open(_databasePath, _readOnly, memoryMapped: true), _schemaVersion), _databasePath);
    }

    public void Return(SqliteReadSession session)
    {
        try
        {
            session.EndRead();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            session.Dispose();
            return;
        }

        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            if (!_disposed) Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }

        _idle.Add(session);
        if (_disposed)
        {
            while (_idle.TryTake(out var late)) late.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session)) session.Dispose();
    }
}
