using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>The write operations of the sqlite store, each a small class run by <see cref="SqliteWriter"/>.</summary>
internal static class SqliteWriteOps
{
    /// <summary>Inserts a result (and its chunks) unless it exists; true when written.</summary>
    internal sealed class Store(SqliteResultRow row, string? fileToDeleteIfDuplicate) : SqliteWriteOp<bool>
    {
        public override long Bytes => row.StoredSize + 128;

        public override void Execute(SqliteWriteStatements statements)
        {
            if (row.Location == SqliteResultRow.Chunks)
            {
                if (statements.Exists(row.NodeId))
                {
                    Outcome = false;
                    return;
                }

                row.BlobId = statements.AllocateBlob(pending: false);
                var chunks = row.PreparedChunks!;
                for (var i = 0; i < chunks.Count; i++)
                {
                    statements.InsertChunk(SqliteChunk.Key(row.BlobId, i), chunks[i]);
                }
            }

            Outcome = statements.InsertResult(row);
        }

        protected override void OnCommitted()
        {
            if (!Outcome && fileToDeleteIfDuplicate is not null) SqliteWriter.TryDeleteFile(fileToDeleteIfDuplicate);
        }
    }

    /// <summary>
    /// Inserts many small inline results (the scheduler's persister): one op, so one task and one
    /// queue slot per batch, and its rows always commit in one transaction. Rows that exist are kept.
    /// </summary>
    internal sealed class StoreMany(SqliteInlineBatch batch) : SqliteWriteOp<bool>
    {
        private readonly long _bytes = batch.Bytes;

        public override long Bytes => _bytes;

        public override int Rows => batch.Count;

        public override void Execute(SqliteWriteStatements statements)
        {
            statements.InsertInlineBatch(batch);
            Outcome = true;
        }
    }

    /// <summary>Reserves a blob id for a streamed write; the pending row marks its chunks as not yet visible.</summary>
    internal sealed class AllocateBlob : SqliteWriteOp<long>
    {
        public override void Execute(SqliteWriteStatements statements) => Outcome = statements.AllocateBlob(pending: true);
    }

    /// <summary>Writes one chunk of a streamed write.</summary>
    internal sealed class Chunk(long key, SqliteChunk chunk) : SqliteWriteOp<bool>
    {
        public override long Bytes => chunk.Data.Length + 64;

        public override void Execute(SqliteWriteStatements statements)
        {
            statements.InsertChunk(key, chunk);
            Outcome = true;
        }
    }

    /// <summary>Publishes a streamed write: inserts its row and clears its pending mark (or discards it when a twin won).</summary>
    internal sealed class CommitBlob(SqliteResultRow row) : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements)
        {
            Outcome = statements.InsertResult(row);
            if (!Outcome) statements.DeleteChunks(row.BlobId);
            statements.ClearPending(row.BlobId);
        }
    }

    /// <summary>Throws away an uncommitted streamed write.</summary>
    internal sealed class DiscardBlob(long blobId) : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements)
        {
            statements.DeleteChunks(blobId);
            statements.ClearPending(blobId);
            Outcome = true;
        }
    }

    /// <summary>Deletes results; the outcome is the number removed and their stored bytes.</summary>
    internal sealed class Delete(IReadOnlyList<NodeId> ids) : SqliteWriteOp<(int Count, long Bytes)>
    {
        private readonly List<string> _files = [];

        public override void Execute(SqliteWriteStatements statements)
        {
            _files.Clear();
            var count = 0;
            long bytes = 0;
            foreach (var id in ids)
            {
                if (statements.DeleteResult(id, _files) is { } removed)
                {
                    count++;
                    bytes += removed;
                }
            }

            Outcome = (count, bytes);
        }

        protected override void OnCommitted()
        {
            // Readers that already opened a file keep reading it (POSIX semantics, FileShare.Delete on Windows).
            foreach (var file in _files) SqliteWriter.TryDeleteFile(file);
        }
    }

    internal sealed class UpdateMetadata(NodeId id, IReadOnlyDictionary<string, object?> update) : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements) => Outcome = statements.UpdateMetadata(id, update);
    }

    internal sealed class Touch(IReadOnlyCollection<NodeId> ids, long at) : SqliteWriteOp<bool>
    {
        public override long Bytes => ids.Count * 40L;

        public override void Execute(SqliteWriteStatements statements)
        {
            foreach (var id in ids) statements.Touch(id, at);
            Outcome = true;
        }
    }

    internal sealed class Execution(ExecutionRecord record) : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements)
        {
            statements.UpsertExecution(record);
            Outcome = true;
        }
    }

    /// <summary>Removes an execution's history rows (record, names, node history); true when it had a record.</summary>
    internal sealed class DeleteExecution(string executionId) : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements) => Outcome = statements.DeleteExecution(executionId);
    }

    internal sealed class NodeNames(string executionId, IReadOnlyList<ExecutionNodeName> names) : SqliteWriteOp<bool>
    {
        public override long Bytes => names.Count * 96L;

        public override void Execute(SqliteWriteStatements statements)
        {
            foreach (var name in names) statements.InsertNodeName(executionId, name);
            Outcome = true;
        }
    }

    internal sealed class History(NodeHistoryEntry entry) : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements)
        {
            statements.InsertHistory(entry);
            Outcome = true;
        }
    }

    /// <summary>Completes when every op queued before it is committed.</summary>
    internal sealed class Barrier : SqliteWriteOp<bool>
    {
        public override void Execute(SqliteWriteStatements statements) => Outcome = true;
    }

    /// <summary>Removes pending blobs left by processes that died mid-write.</summary>
    internal sealed class CollectAbandoned : SqliteWriteOp<int>
    {
        public override void Execute(SqliteWriteStatements statements) => Outcome = statements.CollectAbandonedBlobs();
    }
}
