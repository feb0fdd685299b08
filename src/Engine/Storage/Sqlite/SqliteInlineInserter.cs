using Microsoft.Data.Sqlite;

namespace VoxScheduler.Storage;

/// <summary>
/// Inserts the packed raw inline rows of a <see cref="SqliteInlineBatch"/> (the bulk of a
/// persisted run: one tiny value per node) with statements specialised for them: many rows per
/// statement, so SQLite opens its cursors on the table and its indexes once per group instead
/// of once per row; only the per-row fields are bound, and a text binding that did not change
/// since the last row (the execution, the operator) is kept, since SQLite keeps bindings across
/// resets. The rows are exactly those <see cref="SqliteWriteStatements.InsertResult"/> would write for them:
/// under their store key, or, for an id whose key another id holds, without one.
/// </summary>
internal sealed class SqliteInlineInserter : IDisposable
{
    /// <summary>Rows per multi-row statement.</summary>
    public const int GroupSize = 16;

    private const int SharedParameters = 3;
    private const int RowParameters = 7;

    private readonly Statement _one;
    private readonly Statement _group;

    public SqliteInlineInserter(SqliteConnection connection)
    {
        _one = new Statement(connection, 1);
        _group = new Statement(connection, GroupSize);
    }

    /// <summary>Inserts the batch's packed rows that are not stored yet: groups of <see cref="GroupSize"/>, then one by one.</summary>
    public void Insert(SqliteInlineBatch batch, SqliteWriteStatements statements)
    {
        var i = 0;
        if (statements.CollidedRowsExist())
        {
            // Rare: a row without a key may be any of these ids, so each is looked up first.
            for (; i < batch.Packed; i++)
            {
                if (statements.ExistsCollided(batch.Id(i))) continue;
                if (_one.Insert(batch, i, keyed: true) == 0) Resolve(batch, i, statements);
            }

            return;
        }

        for (; i + GroupSize <= batch.Packed; i += GroupSize)
        {
            if (_group.Insert(batch, i, keyed: true) == GroupSize) continue;
            for (var j = i; j < i + GroupSize; j++) Resolve(batch, j, statements);
        }

        for (; i < batch.Packed; i++)
        {
            if (_one.Insert(batch, i, keyed: true) == 0) Resolve(batch, i, statements);
        }
    }

    // Row i may not have been inserted under its key: the key is held by this id (already stored,
    // or an earlier row of the batch) or by another id, in which case the row goes in without a key.
    private void Resolve(SqliteInlineBatch batch, int i, SqliteWriteStatements statements)
    {
        var id = batch.Id(i);
        if (statements.KeyHolderIs(id) || (statements.CollidedRowsExist() && statements.ExistsCollided(id))) return;
        _one.Insert(batch, i, keyed: false);
        statements.NoteCollided();
    }

    public void Dispose()
    {
        _one.Dispose();
        _group.Dispose();
    }

    /// <summary>One prepared INSERT of <see cref="Rows"/> rows and the values its text parameters hold.</summary>
    private sealed class Statement : IDisposable
    {
        private readonly SqliteRawStatement _raw;

        // Parameter index → the string bound there (Unbound: unknown, bind again). Compared by
        // reference: one execution's rows share the same string instances.
        private readonly string?[] _text;
        private long _createdAt;
        private bool _createdAtBound;

        private static readonly string Unbound = new('\0', 1);

        public Statement(SqliteConnection connection, int rows)
        {
            Rows = rows;
            var values = new System.Text.StringBuilder();
            for (var j = 0; j < rows; j++)
            {
                var b = SharedParameters + 1 + (j * RowParameters);
                if (j > 0) values.Append(", ");
                values.Append($"(?{b + 6}, ?{b}, ?{b + 1}, ?{b + 2}, ?{b + 2}, {StoreCodec.Raw}, ?{b + 3}, NULL, ?1, ?1, ?2, ?3, ?{b + 4}, NULL, {SqliteResultRow.Inline}, NULL, NULL, ?{b + 5})");
            }

            _raw = new SqliteRawStatement(connection, $"""
                INSERT OR IGNORE INTO results(node_key, node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at,
                    dag_id, execution_id, operator, metadata, location, blob_id, file_name, data)
                VALUES {values}
                """);
            _text = new string?[SharedParameters + 1 + (rows * RowParameters)];
            Array.Fill(_text, Unbound);
        }

        public int Rows { get; }

        /// <summary>Inserts <see cref="Rows"/> rows from <paramref name="start"/> (keyed or not); returns how many were new.</summary>
        public int Insert(SqliteInlineBatch batch, int start, bool keyed)
        {
            if (!_createdAtBound || _createdAt != batch.CreatedAt)
            {
                _createdAtBound = false;
                _raw.Bind(1, batch.CreatedAt);
                _createdAt = batch.CreatedAt;
                _createdAtBound = true;
            }

            BindText(2, batch.DagId);
            BindText(3, batch.ExecutionId);
            for (var j = 0; j < Rows; j++)
            {
                var i = start + j;
                var b = SharedParameters + 1 + (j * RowParameters);
                var data = batch.Data(i);
                _raw.Bind(b, batch.Id(i));
                _raw.Bind(b + 1, (long)batch.Type(i));
                _raw.Bind(b + 2, data.Length);
                _raw.Bind(b + 3, batch.Hash(i));
                BindText(b + 4, batch.Operator(i));
                _raw.Bind(b + 5, data);
                if (keyed) _raw.Bind(b + 6, batch.Id(i).StoreKey);
                else _raw.BindNull(b + 6);
            }

            return _raw.Execute();
        }

        private void BindText(int index, string? value)
        {
            if (ReferenceEquals(_text[index], value)) return;
            _text[index] = Unbound;
            _raw.Bind(index, value);
            _text[index] = value;
        }

        public void Dispose() => _raw.Dispose();
    }
}
