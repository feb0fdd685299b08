namespace VoxScheduler.Scheduling;

/// <summary>
/// The process-wide bound on nodes computing at once (<see cref="SchedulerOptions.MaxWorkers"/>):
/// CPU workers. A worker is a loop that runs nodes of one execution until its ready stack is
/// empty; each holds one slot while it computes. A node that waits (an asynchronous operation
/// waiting on I/O, a timer, a remote call) gives its slot back while it waits and asks for one
/// again to go on (<see cref="AcquireAsync"/>); those resuming requests are served before new
/// workers, so work already begun finishes first. An execution that wants a worker while every
/// slot is taken queues a request; a released slot goes straight to the oldest request, so
/// nothing polls. How many nodes one execution has in flight (computing or waiting) is that
/// execution's own limit (<see cref="ExecutionConfig.MaxConcurrentNodes"/>), not this one.
/// </summary>
internal sealed class WorkerPool
{
    private readonly object _lock = new();
    private readonly Queue<ScheduledExecution> _waiting = new();
    private readonly Queue<TaskCompletionSource> _resuming = new();
    private int _max;
    private int _active;
    private volatile int _waitingCount;

    public WorkerPool(int maxWorkers) => _max = Math.Max(1, maxWorkers);

    /// <summary>True when some execution or resuming node is waiting for a slot: running workers then yield after their current node.</summary>
    public bool HasWaiters => _waitingCount > 0;

    public int Active => Volatile.Read(ref _active);

    /// <summary>The bound on slots.</summary>
    public int Max => Volatile.Read(ref _max);

    /// <summary>Changes the bound; a larger one hands the new slots to waiting requests at once, a smaller one takes effect as slots are released.</summary>
    public void SetMax(int maxWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        var grants = new List<object>();
        lock (_lock)
        {
            _max = maxWorkers;
            while (_active < _max && TryDequeueLocked(out var next))
            {
                _active++;
                grants.Add(next!);
            }
        }

        foreach (var g in grants) Grant(g);
    }

    /// <summary>Starts a worker for <paramref name="execution"/> now, or queues the request.</summary>
    public void Request(ScheduledExecution execution)
    {
        lock (_lock)
        {
            // Checked under the same lock as Release, so a request can never miss a freed slot.
            if (_active >= _max)
            {
                _waiting.Enqueue(execution);
                _waitingCount = _waiting.Count + _resuming.Count;
                return;
            }

            _active++;
        }

        execution.StartWorker();
    }

    /// <summary>
    /// A slot for a node that waited without one and now goes on: completes at once when a slot
    /// is free, else when one is released (before any queued new worker gets it).
    /// </summary>
    public ValueTask AcquireAsync()
    {
        TaskCompletionSource tcs;
        lock (_lock)
        {
            if (_active < _max)
            {
                _active++;
                return ValueTask.CompletedTask;
            }

            tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _resuming.Enqueue(tcs);
            _waitingCount = _waiting.Count + _resuming.Count;
        }

        return new ValueTask(tcs.Task);
    }

    /// <summary>Gives the caller's slot to the oldest resuming node, else the oldest waiting execution, or frees it.</summary>
    public void Release()
    {
        object? next;
        lock (_lock)
        {
            if (_active > _max || !TryDequeueLocked(out next))
            {
                _active--;
                return;
            }
        }

        Grant(next!);
    }

    private bool TryDequeueLocked(out object? next)
    {
        if (_resuming.TryDequeue(out var tcs)) next = tcs;
        else if (_waiting.TryDequeue(out var execution)) next = execution;
        else next = null;
        _waitingCount = _waiting.Count + _resuming.Count;
        return next is not null;
    }

    private static void Grant(object next)
    {
        if (next is TaskCompletionSource tcs) tcs.SetResult();
        else ((ScheduledExecution)next).StartWorker();
    }
}
