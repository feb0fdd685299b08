namespace VoxScheduler.Storage;

/// <summary>
/// One unit of work for the single statements. <see cref="Execute"/> runs inside the batch's
/// transaction and may run again if the batch is retried, so it only records its outcome;
/// <see cref="Complete"/> runs once the batch is committed.
/// </summary>
internal abstract class SqliteWriteOp
{
    /// <summary>Approximate payload size, to bound a batch's memory and transaction size.</summary>
    public virtual long Bytes => 64;

    /// <summary>Result rows this op inserts, to bound a transaction's row count.</summary>
    public virtual int Rows => 1;

    public abstract void Execute(SqliteWriteStatements statements);

    public abstract void Complete();

    public abstract void Fail(Exception error);
}

/// <summary>A write op whose caller awaits a result.</summary>
internal abstract class SqliteWriteOp<T> : SqliteWriteOp
{
    // Continuations must not run on the writer thread: it would stall every later batch.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected T Outcome { get; set; } = default!;

    public Task<T> Task => _completion.Task;

    public override void Complete()
    {
        OnCommitted();
        _completion.TrySetResult(Outcome);
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);

    /// <summary>Side effects that must wait for the commit (deleting files of removed results).</summary>
    protected virtual void OnCommitted()
    {
    }
}
