using System.Data.Common;

namespace VoxScheduler.Storage;

/// <summary>
/// The execution-record row every database backend keeps (sqlite, postgres): its columns in
/// order, and the record read back from them, so the two stores cannot drift apart.
/// </summary>
internal static class ExecutionRecordRows
{
    public const string Columns = CommonColumns + ", memory_usage_bytes";

    /// <summary>
    /// The columns to select from a store of a schema before <c>memory_usage_bytes</c> (opened
    /// read-only as it is, so not migrated): the same row shape, the missing column as NULL.
    /// </summary>
    public const string ColumnsBeforeMemory = CommonColumns + ", NULL";

    private const string CommonColumns =
        "execution_id, name, dag_id, status, submitted_at, completed_at, total_nodes, completed_nodes, cached_nodes, failed_nodes, skipped_nodes, source, error, owner";

    public static ExecutionRecord Read(DbDataReader r) => ExecutionOwner.Resolve(new()
    {
        ExecutionId = r.GetString(0),
        Name = r.IsDBNull(1) ? null : r.GetString(1),
        DagId = r.IsDBNull(2) ? null : r.GetString(2),
        Status = r.GetString(3),
        SubmittedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
        CompletedAt = r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
        TotalNodes = r.GetInt32(6),
        CompletedNodes = r.GetInt32(7),
        CachedNodes = r.GetInt32(8),
        FailedNodes = r.GetInt32(9),
        SkippedNodes = r.GetInt32(10),
        Source = r.IsDBNull(11) ? null : r.GetString(11),
        Error = r.IsDBNull(12) ? null : r.GetString(12),
        Owner = r.IsDBNull(13) ? null : r.GetString(13),
        MemoryUsageBytes = r.IsDBNull(14) ? null : r.GetInt64(14),
        // Only the postgres store (the cluster's) keeps the coordinating silo: a sixteenth column there.
        Coordinator = r.FieldCount > 15 && !r.IsDBNull(15) ? r.GetString(15) : null,
    });
}
