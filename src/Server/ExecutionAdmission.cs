namespace VoxScheduler.Server;

/// <summary>
/// Counts executions that hold a slot (submitted and not yet ended) and refuses new ones past
/// the limit, so a flood of requests queues nowhere: the client is told to come back (429).
/// </summary>
internal sealed class ExecutionAdmission(int limit, int perClientLimit = int.MaxValue)
{
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private int _active;

    /// <summary>The most executions one client may run at once.</summary>
    public int PerClientLimit { get; } = perClientLimit;

    /// <summary>Takes a slot of <paramref name="client"/>'s share, or returns false when it holds all of its share.</summary>
    public bool TryEnterClient(string client)
    {
        lock (_perClient)
        {
            var held = _perClient.GetValueOrDefault(client);
            if (held >= PerClientLimit) return false;
            _perClient[client] = held + 1;
            return true;
        }
    }

    /// <summary>Gives back a slot of <paramref name="client"/>'s share.</summary>
    public void ReleaseClient(string client)
    {
        lock (_perClient)
        {
            var held = _perClient.GetValueOrDefault(client);
            if (held <= 1) _perClient.Remove(client); // the table holds only clients with something running
            else _perClient[client] = held - 1;
        }
    }

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
