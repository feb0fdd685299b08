namespace VoxScheduler.Scheduling;

/// <summary>
/// The process-wide bound on running workers (<see cref="SchedulerOptions.MaxWorkers"/>). A
/// worker is a loop that runs nodes of one execution until its ready stack is empty; each
/// holds one slot. An execution that wants a worker while every slot is taken queues a
/// request; a released slot goes straight to the oldest request, so nothing polls.
/// </summary>
internal sealed class WorkerPool
{
    private readonly object _lock = new();
    private readonly Queue<ScheduledExecution> _waiting = new();
    private readonly int _max;
    private int _active;
    private volatile int _waitingCount;

    public WorkerPool(int maxWorkers) => _max = Math.Max(1, maxWorkers);

    /// <summary>True when some execution is waiting for a slot: running workers then yield after their current node.</summary>
    public bool HasWaiters => _waitingCount > 0;

    public int Active => Volatile.Read(ref _active);

    /// <summary>Starts a worker for <paramref name="execution"/> now, or queues the request.</summary>
    public void Request(ScheduledExecution execution)
    {
        lock (_lock)
        {
            // Checked under the same lock as Release, so a request can never miss a freed slot.
            if (_active >= _max)
            {
                _waiting.Enqueue(execution);
                _waitingCount = _waiting.Count;
                return;
            }

            _active++;
        }

        execution.StartWorker();
    }

    /// <summary>Gives the caller's slot to the oldest waiting request, or frees it.</summary>
    public void Release()
    {
        ScheduledExecution? next;
        lock (_lock)
        {
            if (!_waiting.TryDequeue(out next))
            {
                _active--;
                return;
            }

            _waitingCount = _waiting.Count;
        }

        next.StartWorker();
    }
}
