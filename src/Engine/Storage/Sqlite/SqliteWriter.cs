using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace VoxScheduler.Storage;

/// <summary>
/// The one writer of a sqlite store: a dedicated thread drains a channel of write ops and
/// commits everything queued so far in one transaction (group commit), so concurrent
/// StoreAsync calls share a commit instead of each paying for one. The ops run on
/// <see cref="SqliteWriteStatements"/> (prepared once and reused). Lock contention with another
/// process is retried here, never surfaced.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatchOps = 4096;
    private const long SafetyNetWalBytes = 256L * 1024 * 1024;
    private const long MaxBatchBytes = 32L * 1024 * 1024;

    // A commit writes every page the transaction dirtied to the WAL. Results land at random
    // places of the node_key index, so a bigger transaction rewrites each touched index page
    // once for many more rows: the per-row commit cost falls as batches grow.
    private const int MaxBatchRows = 128 * 1024;
    private static readonly TimeSpan BusyBudget = TimeSpan.FromSeconds(120);

    private readonly SqliteConnection _connection;
    private readonly string _location;
    private readonly Channel<SqliteWriteOp> _queue;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _checkpointRequested = new(0, 1);
    private readonly Thread _checkpointer;
    private readonly ManualResetEventSlim _stop = new(false);
    private volatile bool _stopping;

    private readonly SqliteWriteStatements _statements;

    public SqliteWriter(SqliteConnection connection, string location, string? largeFolder, TimeProvider time)
    {
        _connection = connection;
        _location = location;
        _queue = Channel.CreateBounded<SqliteWriteOp>(new BoundedChannelOptions(16384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        _statements = new SqliteWriteStatements(connection, largeFolder, time);

        // Checkpoints copy the WAL into the database and fsync it: done on another connection in
        // the background so commits never wait for them. The writer's own auto-checkpoint only
        // remains as a safety net if the background one falls far behind (256 MiB of WAL, in pages
        // of this database's own size: a store made by an older version may have smaller ones).
        SqliteStoreConnection.Execute(_connection, $"PRAGMA wal_autocheckpoint={SafetyNetWalBytes / PageSizeOf(_connection)};");

        // The writer's page cache holds the pages inserts touch, chiefly the node_key index
        // (random positions): at a million results it no longer fits the readers' 16 MiB and
        // every insert would read its leaf back from the OS. Allocated on demand, up to 64 MiB.
        SqliteStoreConnection.Execute(_connection, "PRAGMA cache_size=-65536;");

        // Space freed inside pages (rows moved by a page split, deleted results) is zeroed when the
        // page is written anyway: no stale copies of results linger in the file, at no extra I/O.
        SqliteStoreConnection.Execute(_connection, "PRAGMA secure_delete=FAST;");
        // Threads are named by role first: Linux tools (top -H, perf) show only the first 15 characters.
        _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "sqlite checkpoints (VoxScheduler)" };
        _checkpointer.Start();

        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite writer (VoxScheduler)" };
        _thread.Start();
    }

    private static long PageSizeOf(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size;";
        return Math.Max(512, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private void RequestCheckpoint()
    {
        if (_checkpointRequested.CurrentCount > 0) return;
        try
        {
            _checkpointRequested.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested.
        }
    }

    // A dedicated thread: a checkpoint blocks on fsync for milliseconds, which a thread-pool
    // thread must not do on a two-core machine where the pool also runs every producer.
    private void CheckpointLoop()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _checkpointRequested.Wait();
                if (_stopping) return;
                try
                {
                    connection ??= SqliteStoreConnection.Open(_location, readOnly: false);
                    SqliteStoreConnection.Execute(connection, "PRAGMA wal_checkpoint(PASSIVE);");
                }
                catch (SqliteException)
                {
                    // Busy or failing checkpoints only delay WAL reuse; the writer's safety net still runs.
                }

                // At most a few checkpoints a second: each one fsyncs the database file.
                if (_stop.Wait(100)) return;
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>Queues an op; waits only when the queue is full (back pressure).</summary>
    public Task<T> Enqueue<T>(SqliteWriteOp<T> op, CancellationToken cancellationToken) =>
        _queue.Writer.TryWrite(op) ? op.Task : EnqueueSlowAsync(op, cancellationToken);

    private async Task<T> EnqueueSlowAsync<T>(SqliteWriteOp<T> op, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(op, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(SqliteResultStore), "The store is closed.");
        }

        return await op.Task.ConfigureAwait(false);
    }

    /// <summary>Queues an op without waiting for its commit (the op's task reports the outcome).</summary>
    public bool TryPost(SqliteWriteOp op) => _queue.Writer.TryWrite(op);

    /// <summary>Stops accepting ops, commits what is queued and waits for the thread to end.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
        _stopping = true;
        _stop.Set();
        RequestCheckpoint();
        await Task.Run(_checkpointer.Join).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _statements.Dispose();
        _connection.Dispose();
        _checkpointRequested.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        var batch = new List<SqliteWriteOp>(256);
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var first))
                {
                    // Block without spinning: on two cores a spinning writer steals the time the
                    // producers need to fill the next batch.
                    var wait = reader.WaitToReadAsync();
                    if (!wait.IsCompleted)
                    {
                        var task = wait.AsTask();
                        ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
                        wait = new ValueTask<bool>(task);
                    }

                    if (!wait.Result) break;
                    continue;
                }

                batch.Add(first);
                var bytes = first.Bytes;
                var rows = first.Rows;
                while (batch.Count < MaxBatchOps && bytes < MaxBatchBytes && rows < MaxBatchRows && reader.TryRead(out var next))
                {
                    batch.Add(next);
                    bytes += next.Bytes;
                    rows += next.Rows;
                }

                RunBatch(batch);
                batch.Clear();
                RequestCheckpoint();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void RunBatch(List<SqliteWriteOp> batch)
    {
        var started = Environment.TickCount64;
        var delay = 1;
        while (true)
        {
            try
            {
                _statements.Begin();
                try
                {
                    foreach (var op in batch) op.Execute(_statements);
                    _statements.Commit();
                }
                catch
                {
                    _statements.TryRollback();
                    throw;
                }

                foreach (var op in batch) op.Complete();
                return;
            }
            catch (SqliteException e) when (SqliteStoreConnection.IsBusy(e) && Environment.TickCount64 - started < BusyBudget.TotalMilliseconds)
            {
                // Another process holds the write lock beyond busy_timeout: back off and retry the whole batch.
                Thread.Sleep(delay);
                delay = Math.Min(delay * 2, 50);
            }
            catch (Exception e)
            {
                if (batch.Count == 1)
                {
                    batch[0].Fail(e is SqliteException se ? SqliteStoreConnection.Translate(se, _location) : e);
                    return;
                }

                // Isolate the failing op: every other op of the batch still commits.
                foreach (var op in batch) RunBatch([op]);
                return;
            }
        }
    }

    public static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind; the hybrid store's orphan sweep removes unreferenced files later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
