namespace VoxScheduler.Server;

/// <summary>
/// Counts executions that hold a slot (submitted and not yet ended) and refuses new ones past
/// the limit, so a flood of requests queues nowhere: the client is told to come back (429).
/// </summary>
internal sealed class ExecutionAdmission(int limit)
{
    private int _active;

    /// <summary>The most executions that may run at once.</summary>
    public int Limit { get; } = limit;

    /// <summary>Executions currently holding a slot.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>Takes a slot, or returns false when all are taken.</summary>
    public bool TryEnter()
    {
        // Compare-and-swap loop: never overshoots the limit even under a burst of requests.
        while (true)
        {
            var current = Volatile.Read(ref _active);
            if (current >= Limit) return false;
            if (Interlocked.CompareExchange(ref _active, current + 1, current) == current) return true;
        }
    }

    /// <summary>Gives a slot back.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _active) < 0)
        {
            Interlocked.Increment(ref _active);
            throw new InvalidOperationException("An execution slot was released twice.");
        }
    }
}
