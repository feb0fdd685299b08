namespace VoxScheduler.Scheduling;

/// <summary>
/// The token of one try of a node with a timeout: cancelled by the execution's token or when
/// the timeout elapses on the scheduler's clock (so tests drive it with a fake clock).
/// </summary>
internal sealed class NodeDeadline : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationTokenRegistration _link;
    private readonly CancellationToken _execution;

    public NodeDeadline(TimeSpan limit, TimeProvider time, CancellationToken execution)
    {
        _execution = execution;
        _cts = new CancellationTokenSource(limit, time);
        _link = execution.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cts);
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>True when the timeout (not the execution's cancellation) fired.</summary>
    public bool TimedOut => _cts.IsCancellationRequested && !_execution.IsCancellationRequested;

    public void Dispose()
    {
        _link.Dispose();
        _cts.Dispose();
    }
}
