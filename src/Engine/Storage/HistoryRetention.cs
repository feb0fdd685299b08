namespace VoxScheduler.Storage;

/// <summary>
/// How much execution history a store keeps: finished executions that ended longer ago than
/// <paramref name="OlderThan"/>, and/or all but the newest <paramref name="MaxExecutions"/>
/// finished ones, are forgotten (record, named nodes, node history; their results stay).
/// Executions that have not ended are never trimmed.
/// </summary>
/// <param name="OlderThan">Forget finished executions that ended longer ago than this.</param>
/// <param name="MaxExecutions">Keep at most this many finished executions, the newest.</param>
public sealed record HistoryRetention(TimeSpan? OlderThan = null, int? MaxExecutions = null);
