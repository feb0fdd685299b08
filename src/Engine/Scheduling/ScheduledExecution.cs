using System.Diagnostics;
using System.Runtime.CompilerServices;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// One execution of a DAG. Its whole scheduling state (the plan arrays, the ready stack and
/// the counters) is guarded by one lock, <see cref="_gate"/>, held only for O(degree) work per
/// node: operations run outside it, store and file I/O run outside it, and callbacks into
/// other executions (in-flight waiters) are made after releasing it. This file holds the
/// lifecycle (start, finish, public surface). The state machine under the lock is the rest of
/// this partial class: Completion (applying outcomes), Expansion (splicing fragments), Workers
/// (taking and running nodes), PostActions (what a state change decided, done after the
/// lock is released), Checkpoint (the running history record) and NodeStatuses (a snapshot of
/// every node's state for display). Work that needs no lock lives in its own classes: GoalReporter,
/// CorruptResultRecovery, ExpansionPreparer, ProgressSnapshot, ExecutionHistory.
/// <para>
/// Why one partial class over 900 lines: the state machine is one unit by design; its ~35
/// fields are guarded by one lock and changed together on every completion (O(degree) work per
/// node, no allocation), and splitting it into objects would put those fields behind accessors
/// on the hottest path without making any part understandable alone.
/// </para>
/// </summary>
internal sealed partial class ScheduledExecution : IExecution, INodeInputIds, IFragmentPins
{
    private readonly Lock _gate = new();
    private readonly DynamicScheduler _scheduler;
    private readonly StoreSlot _slot;
    private readonly IDisposable? _storeHold; // keeps a scheduler-opened store open until this execution ends
    private readonly IResultStore? _store;
    private readonly OperationEnvironment _environment;
    private Operation?[] _initialOps;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<ExecutionStatus> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly EventHub _hub = new();
    private readonly GoalTracker _goals;
    private readonly CorruptResultRecovery _recovery;
    private readonly GoalReporter _goalReporter;
    private readonly ExpansionPreparer _expansions;
    private readonly TimeProvider _time;
    private readonly WorkerPool _pool;
    private readonly INodeRunner _runner;
    private readonly int _maxConcurrent;
    private readonly ReadyStack _ready = new();

    // The memory budget for live values (ExecutionConfig.MemoryBudget; 0: none), guarded by _gate.
    // _held: ready nodes that would start new work (no live input), waiting for room in the budget.
    // _begun: ready nodes that finish work begun, the oldest case's first (then last made ready first).
    private readonly long _budget;
    private readonly Queue<int> _held = new();
    private readonly PriorityQueue<int, (int Case, long Order)> _begun = new();
    private long _liveBytes, _peakLiveBytes, _caseEstimate = -1, _growth, _readyOrder;
    private int _persisting, _caseSequence; // _persisting: values the persister holds until they are durable
    private readonly Dictionary<int, int> _caseOf = [];
    private readonly Dictionary<int, CaseUsage> _cases = [];
    private readonly Dictionary<string, long> _outputSizes = new(StringComparer.Ordinal);
    private readonly long _startTimestamp;
    private readonly string? _source;

    private ExecutionPlan _plan = null!;

    // The DAG while the execution runs (null once it has let go of its plan), and the compact copy it
    // keeps from its finish on (see Dag).
    private DagDefinition? _dag;
    private RetainedDag? _retainedDag;
    private readonly int _nodeCount;
    private ResultPersister? _persister;
    private StreamingSource? _streams;
    private ITimer? _progressTimer;
    private HashSet<ITimer>? _retryTimers;
    private Dictionary<int, string>? _errors;
    private Dictionary<int, int>? _skipReason;
    private Dictionary<int, InFlightEntry>? _openEntries;
    private Dictionary<int, InFlightEntry>? _published;
    private string? _fatalError;
    // Why its host stopped it (Interrupt): it then ends Interrupted, not Cancelled.
    private string? _interrupted;
    private readonly long _cacheCapacity;
    private List<(NodeId Id, object Boxed)> _cacheBuffer = [];
    private object?[]? _cachedValues;

    // Counters, guarded by _gate. _unfinished counts plan nodes that must still reach a final state.
    // _workers: loops holding (or queued for) a CPU slot; _detached: running nodes waiting without one.
    private int _workers, _detached, _running, _unfinished, _background, _waitingRetry, _waitingShared;
    private int _total, _completed, _cached, _failed, _skipped, _cancelledNodes;
    private long _allocatedBytes;
    private bool _started, _finishing;

    // Cancelled while opening the store or pruning, before any node was counted as unfinished.
    private bool _cancelledBeforePlan;
    private volatile ExecutionStatus _status = ExecutionStatus.Pending;
    private DateTimeOffset? _completedAt;

    public ScheduledExecution(DynamicScheduler scheduler, string executionId, DagDefinition dag, Operation?[] ops, ExecutionConfig config,
        SubmitOptions options, StoreSlot slot, IDisposable? storeHold)
    {
        _scheduler = scheduler;
        ExecutionId = executionId;
        Name = options.Name;
        _dag = dag;
        DagId = dag.DagId;
        _nodeCount = dag.Nodes.Count;
        Config = config;
        _initialOps = ops;
        _slot = slot;
        _storeHold = storeHold;
        _store = slot.Store;
        _environment = options.Environment ?? OperationEnvironment.Default;
        _source = options.Source;
        _time = scheduler.Options.TimeProvider;
        _pool = scheduler.Pool;
        _runner = scheduler.Runner;
        _maxConcurrent = config.MaxConcurrentNodes;
        _cacheCapacity = config.CacheSizeBytes;
        _budget = config.MemoryBudget;
        _goals = new GoalTracker(dag);
        _recovery = new CorruptResultRecovery(this);
        _goalReporter = new GoalReporter(this, _recovery);
        _expansions = new ExpansionPreparer(this);
        SubmittedAt = _time.GetUtcNow();
        _startTimestamp = _time.GetTimestamp();
    }

    public string ExecutionId { get; }

    public string? Name { get; }

    /// <summary>
    /// The DAG: the submitted one while the execution runs; once it has finished and nothing of it
    /// runs any more, rebuilt on demand from the compact copy it keeps (<see cref="RetainedDag"/>).
    /// </summary>
    public DagDefinition Dag
    {
        get
        {
            // Read once: the finish swaps one for the other.
            var live = Volatile.Read(ref _dag);
            return live ?? _retainedDag!.Dag;
        }
    }

    public string DagId { get; }

    public ExecutionConfig Config { get; }

    public IResultStore? Store => _store;

    public ExecutionStatus Status => _status;

    /// <inheritdoc />
    public string? Error => FirstError();

    public DateTimeOffset SubmittedAt { get; }

    public DateTimeOffset? CompletedAt => _completedAt;

    public Task<ExecutionStatus> Completion => _completion.Task;

    internal InFlightTable InFlight => _slot.InFlight;

    // What the helpers that work outside the lock (goal reports, recovery, expansion preparation) read.
    internal ExecutionPlan Plan => _plan;

    internal GoalTracker Goals => _goals;

    internal OperationEnvironment Environment => _environment;

    internal OperationRegistry Operations => _scheduler.Operations;

    /// <summary>The cluster silo coordinating it (its scheduler's <see cref="SchedulerOptions.Coordinator"/>), recorded with its history.</summary>
    internal string? Coordinator => _scheduler.Options.Coordinator;

    internal TimeProvider Time => _time;

    internal CancellationToken Token => _cts.Token;

    /// <inheritdoc />
    /// <remarks>Read without the lock: a node's arguments change only when its own outcome is applied, after it ran.</remarks>
    NodeId INodeInputIds.InputId(int node, int index) => _plan.Defs[_plan.Args[node][index]].Id;

    /// <summary>The in-memory value of a plan node (boxed), or null; read under the lock.</summary>
    internal object? InMemoryValue(int node)
    {
        lock (_gate)
        {
            // Handed out beyond the plan's count of holders (recovery reads it outside the lock).
            var value = _plan.Values[node];
            Values.PooledValues.Share(value);
            return value;
        }
    }

    public IReadOnlyList<GoalResult> GetGoalResults() => _goals.Snapshot();

    public IAsyncEnumerable<ExecutionEvent> WatchAsync(bool replay = true, CancellationToken cancellationToken = default) =>
        _hub.WatchAsync(replay, cancellationToken);

    public void Cancel()
    {
        if (_cts.IsCancellationRequested || _completion.Task.IsCompleted) return;
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
            // A token callback of some operation threw; the cancellation itself happened.
        }

        // Workers notice the token when they next take a node; if none is running (all
        // waiting on retries or other executions) nobody would, so check for the end here.
        bool finish;
        lock (_gate) finish = TryFinishLocked();
        if (finish) _ = FinalizeAsync();
    }

    /// <summary>
    /// Stops it as <see cref="Cancel"/> does, but it ends <see cref="ExecutionStatus.Interrupted"/>
    /// with <paramref name="reason"/> (history, goals, finish event): its host is going away, nobody
    /// asked for the stop, and submitting it again resumes it. A cancel already asked for stays a cancel.
    /// </summary>
    public void Interrupt(string reason)
    {
        if (_cts.IsCancellationRequested || _completion.Task.IsCompleted) return;
        Interlocked.CompareExchange(ref _interrupted, reason, null);
        Cancel();
    }

    public ExecutionProgress GetProgress()
    {
        ExecutionCounts counts;
        ExecutionStatus status;
        DateTimeOffset? completedAt;
        long live, peak;
        lock (_gate)
        {
            counts = CountsLocked();
            status = _status;
            completedAt = _completedAt;
            live = _liveBytes;
            peak = _peakLiveBytes;
        }

        var elapsed = completedAt is { } end ? end - SubmittedAt : _time.GetElapsedTime(_startTimestamp);
        return ProgressSnapshot.Build(ExecutionId, DagId, status, counts, elapsed, _time.GetUtcNow()) with
        {
            LiveBytes = live, PeakLiveBytes = peak, MemoryBudget = _budget,
        };
    }

    private ExecutionCounts CountsLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        return new(_total, _completed, _cached, _failed, _skipped, _cancelledNodes, _ready.Count + _begun.Count + _held.Count, _running, _allocatedBytes);
    }

    /// <summary>Starts the execution in the background: history, pruning against the store, then the workers.</summary>
    internal void Start() => _ = Task.Run(StartAsync);

    private async Task StartAsync()
    {
        try
        {
            _status = ExecutionStatus.Running;
            // An eviction running on the store kept this DAG's results; wait for it before pruning against the store.
            await _slot.Join(this).WaitAsync(_cts.Token).ConfigureAwait(false);
            if (_store is not null)
            {
                await _store.RecordExecutionAsync(Record("Running"), _cts.Token).ConfigureAwait(false);
                await _store.RecordNodeNamesAsync(ExecutionId, ExecutionHistory.NamedNodes(Dag, ExecutionId), _cts.Token).ConfigureAwait(false);
                _streams = new StreamingSource(_store, Dag.DagId, ExecutionId, _time, Config.WriteOptions);
                _persister = new ResultPersister(_store, Dag.DagId, ExecutionId, Config.WriteOptions, _time, ReleasePersisted, OnPersistError);
            }

            var flags = PlanPruner.ComputeFlags(Dag, _initialOps);
            if (_store is null && _cacheCapacity > 0) _cachedValues = new object?[Dag.Nodes.Count];
            var states = await PlanPruner.PruneAsync(Dag, flags, _store, _cts.Token, _cacheCapacity > 0 ? _slot.Cache : null, _cachedValues)
                .ConfigureAwait(false);
            var plan = new ExecutionPlan(Dag, _initialOps, states, flags);
            if (_scheduler.Options.ProgressInterval > TimeSpan.Zero)
            {
                _progressTimer = _time.CreateTimer(static s => ((ScheduledExecution)s!).PublishProgress(), this,
                    _scheduler.Options.ProgressInterval, _scheduler.Options.ProgressInterval);
            }

            var post = new PostActions();
            bool finish;
            lock (_gate)
            {
                _plan = plan;
                InitializeLocked(ref post);
                _started = true;
                EnsureWorkersLocked(ref post);
                finish = TryFinishLocked();
            }

            RunPostSync(ref post);
            if (finish) await FinalizeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            bool finish;
            lock (_gate)
            {
                if (e is OperationCanceledException && _cts.IsCancellationRequested)
                {
                    _cancelledBeforePlan = true;
                }
                else
                {
                    _fatalError = e is DynamicSchedulerException ? e.Message : $"The execution could not start: {e.Message}";
                }

                _plan ??= new ExecutionPlan(Dag, _initialOps, new NodeState[Dag.Nodes.Count], new NodeFlags[Dag.Nodes.Count]);
                _started = true;
                finish = TryFinishLocked(force: true);
            }

            if (finish) await FinalizeAsync().ConfigureAwait(false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InitializeLocked(ref PostActions post)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        var states = plan.State;
        List<int>? missing = null;
        for (var i = plan.Count - 1; i >= 0; i--)
        {
            switch (states[i])
            {
                case NodeState.NotNeeded:
                    continue;
                case NodeState.Pending:
                    _unfinished++;
                    if (plan.Pending[i] == 0)
                    {
                        states[i] = NodeState.Ready;
                        _ready.Push(i);
                    }

                    break;
                case NodeState.Cached:
                    _cached++;
                    if (_cachedValues?[i] is { } kept)
                    {
                        SetLiveLocked(i, kept);
                        Values.PooledValues.Release(kept); // the hold the value cache lent with it (PlanPruner): the plan holds it now
                    }
                    else
                    {
                        plan.Flags[i] |= NodeFlags.InStore;
                    }
                    break;
                case NodeState.Completed:
                    _completed++;
                    break;
                case NodeState.Failed:
                    _unfinished++;
                    (missing ??= []).Add(i);
                    break;
            }

            _total++;
            if ((plan.Flags[i] & NodeFlags.Goal) != 0 && states[i] is NodeState.Cached or NodeState.Completed)
            {
                AddGoalLocked(ref post, i, states[i], _cachedValues?[i], TimeSpan.Zero);
            }
        }

        _cachedValues = null;
        if (missing is not null)
        {
            foreach (var i in missing)
            {
                FailLocked(ref post, i, $"The result of external node {plan.Defs[i].Id} is not in the store.");
            }
        }
    }

    /// <summary>True (once) when the execution has nothing left to do; the caller then runs <see cref="FinalizeAsync"/>.</summary>
    private bool TryFinishLocked(bool force = false)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (_finishing || !_started) return false;
        var idle = _running == 0 && _background == 0;
        var done = _unfinished == 0 || _cts.IsCancellationRequested || _fatalError is not null || force;
        if (!(idle && done) && !force) return false;
        _finishing = true;
        return true;
    }

    private async Task FinalizeAsync()
    {
        _progressTimer?.Dispose();
        ITimer[] timers;
        lock (_gate) timers = _retryTimers is null ? [] : [.. _retryTimers];
        foreach (var t in timers) t.Dispose();

        string? storeError = null;
        if (_persister is not null)
        {
            await _persister.CompleteAsync().ConfigureAwait(false);
        }

        if (_store is not null)
        {
            try
            {
                await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                storeError = $"Results could not be made durable: {e.Message}";
            }
        }

        List<(NodeId Id, object Boxed)> rest;
        lock (_gate)
        {
            rest = _cacheBuffer;
            _cacheBuffer = [];
        }

        _slot.Cache.AddRange(rest, _cacheCapacity);
        ExecutionStatus status;
        lock (_gate)
        {
            var cancelled = _cts.IsCancellationRequested && (_unfinished > 0 || _cancelledBeforePlan);
            var interrupted = cancelled ? Volatile.Read(ref _interrupted) : null;
            CancelUnfinishedLocked();
            _ready.Clear();
            _begun.Clear();
            _held.Clear();
            if (interrupted is not null)
            {
                _goals.InterruptUnfinished(interrupted);
                _fatalError ??= interrupted; // the history's error says why
            }
            else
            {
                _goals.CancelUnfinished();
            }

            _fatalError ??= storeError;
            status = interrupted is not null ? ExecutionStatus.Interrupted
                : cancelled ? ExecutionStatus.Cancelled
                : _fatalError is not null || _goals.AnyUnsuccessful ? ExecutionStatus.Failed
                : ExecutionStatus.Completed;
            _completedAt = _time.GetUtcNow();
            _status = status;
            // Its retry timers are disposed above and never fire: nothing waits on them any more.
            _waitingRetry = 0;
        }

        if (_store is not null)
        {
            try
            {
                await PendingCheckpoint().ConfigureAwait(false);
                await _store.RecordExecutionAsync(Record(status.ToString()), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The history is informative; failing to update it must not turn a finished run into a hung one.
            }
        }

        _slot.Leave(this);
        _storeHold?.Dispose(); // the store may now be closed when idle (SchedulerOptions.MaxOpenStores)
        _hub.PublishFinished(new ExecutionEvent
        {
            Kind = ExecutionEventKind.ExecutionFinished,
            ExecutionId = ExecutionId,
            Progress = GetProgress(),
            Error = FirstError(),
            At = _time.GetUtcNow(),
        });
        // The compact DAG is made outside the lock (the DAG does not change); the DAG itself is let
        // go with the plan, once nothing of the execution runs any more.
        var retained = RetainedDag.Encode(_dag!);
        lock (_gate)
        {
            _retainedDag = retained;
            DropPlanLocked();
        }

        _scheduler.OnFinished(this);
        _completion.TrySetResult(status);
    }

    /// <summary>Marks every node that never reached a final state as cancelled (one pass, once per execution).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CancelUnfinishedLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        for (var i = 0; i < plan.Count; i++)
        {
            if (plan.State[i] is NodeState.Pending or NodeState.Ready or NodeState.Running or NodeState.Waiting)
            {
                plan.State[i] = NodeState.Cancelled;
                _cancelledNodes++;
            }
        }
    }

    private void PublishProgress()
    {
        CheckpointRecord();
        if (!_hub.HasSubscribers || _finishing) return;
        _hub.PublishDroppable(new ExecutionEvent
        {
            Kind = ExecutionEventKind.Progress,
            ExecutionId = ExecutionId,
            Progress = GetProgress(),
            At = _time.GetUtcNow(),
        });
    }

    private string? FirstError()
    {
        lock (_gate)
        {
            if (_fatalError is not null) return _fatalError;
            if (_errors is null) return null;
            foreach (var (_, message) in _errors) return message;
            return null;
        }
    }

    private ExecutionRecord Record(string status)
    {
        lock (_gate)
        {
            var error = _fatalError ?? (_errors is null ? null : _errors.Values.FirstOrDefault());
            return ExecutionHistory.Record(this, status, CountsLocked(), _completedAt, error, _source);
        }
    }
}
