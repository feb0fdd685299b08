using Microsoft.Data.Sqlite;

namespace VoxScheduler.Storage;

/// <summary>
/// Inserts small raw inline results (the bulk of a persisted run: one tiny value per node)
/// with statements specialised for them: many rows per statement, so SQLite opens its cursors
/// on the table and its indexes once per group instead of once per row; only the per-row
/// fields are bound, and a text binding that did not change since the last row (the
/// execution, the operator) is kept, since SQLite keeps bindings across resets. The rows are
/// exactly those <see cref="SqliteWriter.InsertResult"/> would write.
/// </summary>
internal sealed class SqliteInlineInserter : IDisposable
{
    /// <summary>Rows per multi-row statement.</summary>
    public const int GroupSize = 16;

    private const int SharedParameters = 3;
    private const int RowParameters = 6;

    private readonly Statement _one;
    private readonly Statement _group;

    public SqliteInlineInserter(SqliteConnection connection)
    {
        _one = new Statement(connection, 1);
        _group = new Statement(connection, GroupSize);
    }

    /// <summary>
    /// Inserts rows from <paramref name="start"/> (at most <paramref name="available"/>) while they
    /// suit these statements; returns how many it inserted (0: the first row needs the general insert).
    /// </summary>
    public int TryInsert(SqliteResultRow[] rows, int start, int available)
    {
        var first = rows[start];
        if (!Suits(first)) return 0;
        var statement = _one;
        if (available >= GroupSize)
        {
            statement = _group;
            for (var i = 1; i < GroupSize; i++)
            {
                var row = rows[start + i];
                if (!Suits(row) || row.CreatedAt != first.CreatedAt || !string.Equals(row.DagId, first.DagId, StringComparison.Ordinal)
                    || !string.Equals(row.ExecutionId, first.ExecutionId, StringComparison.Ordinal))
                {
                    statement = _one;
                    break;
                }
            }
        }

        statement.Insert(rows, start);
        return statement.Rows;
    }

    private static bool Suits(SqliteResultRow row) =>
        row.Location == SqliteResultRow.Inline && row.Compression == StoreCodec.Raw && row.Checksum is null && row.MetadataJson is null
        && row.FileName is null && row.InlineData is { } data && data.Length == row.StoredSize && row.StoredSize == row.Size;

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
                values.Append($"(?{b}, ?{b + 1}, ?{b + 2}, ?{b + 2}, {StoreCodec.Raw}, ?{b + 3}, NULL, ?1, ?1, ?2, ?3, ?{b + 4}, NULL, {SqliteResultRow.Inline}, NULL, NULL, ?{b + 5})");
            }

            _raw = new SqliteRawStatement(connection, $"""
                INSERT OR IGNORE INTO results(node_id, data_type, size, stored_size, compression, content_hash, checksum, created_at, accessed_at,
                    dag_id, execution_id, operator, metadata, location, blob_id, file_name, data)
                VALUES {values}
                """);
            _text = new string?[SharedParameters + 1 + (rows * RowParameters)];
            Array.Fill(_text, Unbound);
        }

        public int Rows { get; }

        public void Insert(SqliteResultRow[] rows, int start)
        {
            var first = rows[start];
            if (!_createdAtBound || _createdAt != first.CreatedAt)
            {
                _createdAtBound = false;
                _raw.Bind(1, first.CreatedAt);
                _createdAt = first.CreatedAt;
                _createdAtBound = true;
            }

            BindText(2, first.DagId);
            BindText(3, first.ExecutionId);
            for (var j = 0; j < Rows; j++)
            {
                var row = rows[start + j];
                var b = SharedParameters + 1 + (j * RowParameters);
                _raw.Bind(b, row.NodeId);
                _raw.Bind(b + 1, (long)row.DataType);
                _raw.Bind(b + 2, row.Size);
                _raw.Bind(b + 3, row.ContentHash);
                BindText(b + 4, row.Operator);
                _raw.Bind(b + 5, row.InlineData);
            }

            _raw.Execute();
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
