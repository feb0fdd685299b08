using System.Diagnostics;
using System.Runtime.CompilerServices;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Storage;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>The worker loop and the node state machine (Kahn counters on the plan arrays).</summary>
internal sealed partial class ScheduledExecution
{
    private static readonly Action<object?> s_workerStart = static s => _ = ((ScheduledExecution)s!).WorkerLoopAsync();

    /// <summary>Called by the pool once a slot is ours: the loop runs on the thread pool.</summary>
    internal void StartWorker() => ThreadPool.UnsafeQueueUserWorkItem(s_workerStart, this, preferLocal: false);

    /// <summary>
    /// Runs nodes until the ready stack is empty. Synchronous operations complete inline: no
    /// Task, no await, one lock round trip per node (the completion and the next pop share
    /// it). A node that really goes asynchronous (loading its inputs, an operation waiting on
    /// I/O or a timer) gives the CPU slot back while it waits (<see cref="Detach"/>) and asks
    /// for one again to go on, so waiting nodes never hold a worker: the process-wide worker
    /// bound limits nodes computing, the execution's MaxConcurrentNodes limits nodes in flight.
    /// </summary>
    private async Task WorkerLoopAsync()
    {
        var finish = false;
        var holdsSlot = true;
        try
        {
            WorkItem work;
            bool have;
            lock (_gate)
            {
                have = TakeNextLocked(out work);
                if (!have) finish = TryFinishLocked();
            }

            while (have)
            {
                NodeOutcome? early = null;
                if (work.NeedsLoad && RunnerNeedsValues(work))
                {
                    var loading = LoadArgumentsAsync(work);
                    if (loading.IsCompletedSuccessfully)
                    {
                        early = loading.Result;
                    }
                    else
                    {
                        holdsSlot = Detach();
                        early = await loading.ConfigureAwait(false);
                        holdsSlot = await ReattachAsync().ConfigureAwait(false);
                    }

                    work.NeedsLoad = false;
                }

                NodeOutcome outcome;
                if (early is { } stopped)
                {
                    outcome = stopped;
                }
                else
                {
                    var pending = RunNodeAsync(work);
                    if (pending.IsCompletedSuccessfully)
                    {
                        outcome = pending.Result;
                    }
                    else
                    {
                        holdsSlot = Detach();
                        outcome = await pending.ConfigureAwait(false);
                        holdsSlot = await ReattachAsync().ConfigureAwait(false);
                    }
                }

                if (work.Loaded is { } loaded) outcome = outcome with { Loaded = loaded };
                var post = new PostActions();
                lock (_gate)
                {
                    ApplyLocked(ref post, ref work, outcome);
                    if (_pool.HasWaiters && _ready.Count + _begun.Count > 0)
                    {
                        // Another execution (or a node going on after a wait) wants a slot: give ours up
                        // after this node and queue behind it, so one long execution cannot starve the others.
                        _workers--;
                        have = false;
                        EnsureWorkersLocked(ref post);
                    }
                    else
                    {
                        have = TakeNextLocked(out work);
                    }

                    if (!have) finish = TryFinishLocked();
                }

                var posted = RunPostAsync(post);
                if (!posted.IsCompletedSuccessfully) await posted.ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // A bug, not a node failure (those are outcomes): end the execution rather than hang it.
            lock (_gate)
            {
                _fatalError ??= $"Internal scheduler error: {e}";
                _running = 0;
                if (holdsSlot) _workers = Math.Max(0, _workers - 1);
                else _detached = Math.Max(0, _detached - 1);
                finish = TryFinishLocked(force: true);
            }
        }
        finally
        {
            if (holdsSlot) _pool.Release();
        }

        if (finish)
        {
            await FinalizeAsync().ConfigureAwait(false);
        }
        else if (Volatile.Read(ref _retainedDag) is not null)
        {
            // A worker still running a node when the execution was forced to finish: the last one lets the plan go.
            lock (_gate) DropPlanLocked();
        }
    }

    /// <summary>
    /// The current node waits: this loop stops being a worker (its node stays in flight, counted
    /// in <see cref="_detached"/>), another worker is asked for if ready nodes remain, and the
    /// CPU slot goes back to the pool. Returns false (the loop holds no slot now).
    /// </summary>
    private bool Detach()
    {
        var post = new PostActions();
        lock (_gate)
        {
            _workers--;
            _detached++;
            EnsureWorkersLocked(ref post);
        }

        _pool.Release();
        RunPostSync(ref post);
        return false;
    }

    /// <summary>The wait is over: takes a CPU slot again (ahead of new workers) and becomes a worker. Returns true.</summary>
    private async ValueTask<bool> ReattachAsync()
    {
        await _pool.AcquireAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _detached--;
            _workers++;
        }

        return true;
    }

    // The per-node dispatch methods are compiled fully optimized on first call: an execution of
    // a few hundred thousand trivial nodes is over in tens of milliseconds, before tiered
    // compilation would have promoted them. The operation call path (profile-guided
    // devirtualization) and the completion methods (their dependent loops: measured 10% faster
    // on a 1M-node layered DAG with profile-guided code) are left to tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TakeNextLocked(out WorkItem work)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        if (!_finishing && !_cts.IsCancellationRequested)
        {
            while (_budget == 0 ? _ready.TryPop(out var n) : TryPopWithinBudgetLocked(out n))
            {
                if (plan.State[n] != NodeState.Ready) continue;
                plan.State[n] = NodeState.Running;
                _running++;
                // Read under the lock: a joining execution raises IsShared before taking this lock
                // to publish our untabled running nodes, so no run escapes both paths.
                if (_slot.IsShared && (plan.Flags[n] & NodeFlags.Volatile) == 0) plan.Flags[n] |= NodeFlags.Tabled;
                work = new WorkItem { Node = n, Attempt = plan.Attempts[n] + 1 };
                if (_budget > 0) work.Reserved = StartCaseNodeLocked(n);

                var args = plan.Args[n];
                var values = args.Length == 0 ? [] : new object?[args.Length];
                for (var i = 0; i < args.Length; i++)
                {
                    var a = args[i];
                    var v = plan.Values[a];
                    if (v is not null)
                    {
                        values[i] = ReferenceEquals(v, ExecutionPlan.NullValue) ? null : v;
                    }
                    else if (plan.Defs[a].Kind == NodeKind.Constant)
                    {
                        values[i] = plan.Defs[a].Value;
                    }
                    else
                    {
                        values[i] = WorkItem.LoadMarker;
                        work.NeedsLoad = true;
                    }
                }

                // Code outside the engine may keep what it is given: its pooled arguments never go back to a pool.
                if (PooledValues.InUse && plan.Ops[n] is { IsEngineCode: false })
                {
                    foreach (var v in values) PooledValues.Share(v);
                }

                work.Arguments = values;
                if (work.NeedsLoad) work.Loaded = new object?[args.Length];
                return true;
            }
        }

        _workers--;
        work = default;
        return false;
    }

    /// <summary>Asks for more workers while there are more ready nodes than workers about to take one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureWorkersLocked(ref PostActions post)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (_finishing || _cts.IsCancellationRequested) return;
        // Idle workers are about to take a node; detached nodes are in flight without a worker.
        // Every worker holds at most one node, so workers + detached bounds the nodes in flight.
        var idle = _workers - (_running - _detached);
        var ready = _ready.Count + _begun.Count + (_held.Count > 0 && AdmitsNewWorkLocked(_held.Peek()) ? _held.Count : 0);
        while (ready > idle && _workers + _detached < _maxConcurrent)
        {
            _workers++;
            idle++;
            post.NewWorkers++;
        }
    }

    /// <summary>
    /// True when the node's stored inputs must be loaded before it runs: a forward node, or a runner
    /// that needs values (the local one); a runner that passes inputs on by id (remote) gets them unloaded.
    /// </summary>
    private bool RunnerNeedsValues(in WorkItem work)
    {
        var plan = _plan;
        var n = work.Node;
        if ((plan.Flags[n] & NodeFlags.Forward) != 0) return true;
        var def = plan.Defs[n];
        return _runner.NeedsValues(new NodeRun(plan.Ops[n]!, def.Id, def.Attributes, work.Attempt) { Volatile = (plan.Flags[n] & NodeFlags.Volatile) != 0 },
            _environment);
    }

    /// <summary>Runs one node outside the lock. Returns synchronously for synchronous operations.</summary>
    private ValueTask<NodeOutcome> RunNodeAsync(WorkItem work)
    {
        var plan = _plan;
        var n = work.Node;
        if ((plan.Flags[n] & NodeFlags.Forward) != 0)
        {
            return new(new NodeOutcome { Kind = OutcomeKind.Value, Value = Box(work.Arguments[0]) });
        }

        var op = plan.Ops[n]!;
        var def = plan.Defs[n];
        var cacheable = (plan.Flags[n] & NodeFlags.Volatile) == 0;
        var run = new NodeRun(op, def.Id, def.Attributes, work.Attempt) { Volatile = !cacheable };
        if ((plan.Flags[n] & NodeFlags.Tabled) != 0)
        {
            var entry = _slot.InFlight.TryBegin(def.Id, out var other);
            if (entry is null)
            {
                return new(new NodeOutcome { Kind = OutcomeKind.SharedBusy, Shared = other });
            }

            // The entry travels with the outcome so the completion can end it.
            work.Entry = entry;
        }

        NodeDeadline? timeout = null;
        var token = _cts.Token;
        if (Config.NodeTimeout is { } limit)
        {
            timeout = new NodeDeadline(limit, _time, token);
            token = timeout.Token;
        }

        var streams = cacheable ? _streams : null;
        // Where the node runs is the runner's business; inputs go as references (ids looked up through this execution).
        var pending = _runner.RunAsync(run, new NodeInputs(this, n, work.Arguments), _environment, streams, token);
        if (pending.IsCompletedSuccessfully && timeout is null)
        {
            var outcome = ToOutcome(work, pending.Result, null, null);
            return outcome.Kind != OutcomeKind.Expanded || _store is null ? new(outcome) : WithStoreCheckAsync(outcome);
        }

        return AwaitRunAsync(work, pending, timeout, null);
    }

    /// <summary>
    /// Reads the arguments the store holds into <paramref name="work"/>'s argument array (and
    /// <see cref="WorkItem.Loaded"/>). Null when they are all there; else the outcome that ends
    /// the node (cancelled, or failed naming the argument).
    /// </summary>
    private async ValueTask<NodeOutcome?> LoadArgumentsAsync(WorkItem work)
    {
        var plan = _plan;
        var args = plan.Args[work.Node];
        var loaded = work.Loaded!;
        // An operation that reads an argument as a stream gets a reference to the stored value, not the value.
        var streamer = (plan.Flags[work.Node] & NodeFlags.Forward) == 0 ? plan.Ops[work.Node] : null;
        for (var i = 0; i < args.Length; i++)
        {
            if (!ReferenceEquals(work.Arguments[i], WorkItem.LoadMarker)) continue;
            var id = plan.Defs[args[i]].Id;
            if (_cacheCapacity > 0 && _slot.Cache.TryGet(id) is { } kept)
            {
                work.Arguments[i] = Unbox(kept);
                loaded[i] = new CachedArgument(kept);
                continue;
            }

            try
            {
                if (streamer is not null && streamer.ReadsAsStream(i) && _store is { } store
                    && await store.GetMetadataAsync(id, _cts.Token).ConfigureAwait(false) is { } stored)
                {
                    work.Arguments[i] = new StoredArgument(id, stored.Size, ct => store.OpenReadAsync(id, ct));
                    continue;
                }

                object? value = null;
                var found = false;
                try
                {
                    var bytes = _store is null ? null : await _store.RetrieveAsync(id, _cts.Token).ConfigureAwait(false);
                    if (bytes is not null)
                    {
                        value = ValueCodec.Decode(bytes);
                        found = true;
                    }
                }
                catch (Exception e) when (CorruptResultRecovery.IsRecoverableReadFailure(e))
                {
                    // Damaged on disk (the store has quarantined it): recomputed below.
                }

                if (!found)
                {
                    // Gone since planning (damaged, quarantined or evicted): recompute it rather than fail.
                    value = await _recovery.RecoverAsync(args[i], _cts.Token).ConfigureAwait(false);
                }

                work.Arguments[i] = value;
                loaded[i] = Box(value);
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
                return new NodeOutcome { Kind = OutcomeKind.Cancelled };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Failed(e is StorageException ? e : new StorageException($"Reading an argument failed: {e.Message}", id, e));
            }
        }

        return null;

        static NodeOutcome Failed(Exception e) => new() { Kind = OutcomeKind.Failed, Error = e };
    }

    private async ValueTask<NodeOutcome> AwaitRunAsync(WorkItem work, ValueTask<ExecutionResult> pending, NodeDeadline? timeout, object?[]? loaded)
    {
        try
        {
            var result = await pending.ConfigureAwait(false);
            var outcome = ToOutcome(work, result, timeout, loaded);
            if (outcome.Kind == OutcomeKind.Expanded && _store is not null)
            {
                await _expansions.CheckStoreAsync(outcome.Expansion!).ConfigureAwait(false);
            }

            return outcome;
        }
        finally
        {
            timeout?.Dispose();
        }
    }

    private async ValueTask<NodeOutcome> WithStoreCheckAsync(NodeOutcome outcome)
    {
        await _expansions.CheckStoreAsync(outcome.Expansion!).ConfigureAwait(false);
        return outcome;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private NodeOutcome ToOutcome(WorkItem work, ExecutionResult result, NodeDeadline? timeout, object?[]? loaded)
    {
        if (timeout is { TimedOut: true } && !_cts.IsCancellationRequested)
        {
            return new NodeOutcome
            {
                Kind = OutcomeKind.Failed, Result = result, Loaded = loaded, Owned = work.Entry,
                Error = new TimeoutException($"The node did not finish within its timeout of {Config.NodeTimeout}."),
            };
        }

        switch (result.Status)
        {
            case NodeStatus.Cancelled:
                return new NodeOutcome { Kind = OutcomeKind.Cancelled, Result = result, Loaded = loaded, Owned = work.Entry };
            case NodeStatus.Failed:
                return new NodeOutcome { Kind = OutcomeKind.Failed, Result = result, Error = result.Error, Loaded = loaded, Owned = work.Entry };
        }

        return result.Result.Kind switch
        {
            OperationResultKind.Value => new NodeOutcome
            {
                Kind = OutcomeKind.Value, Value = Box(result.Result.Value), Result = result, Loaded = loaded, Owned = work.Entry,
            },
            OperationResultKind.Streamed => new NodeOutcome { Kind = OutcomeKind.Streamed, Result = result, Loaded = loaded, Owned = work.Entry },
            _ => new NodeOutcome
            {
                Kind = OutcomeKind.Expanded, Result = result, Loaded = loaded, Owned = work.Entry,
                Expansion = _expansions.Prepare(work.Node, result.Result),
            },
        };
    }

    internal static object Box(object? value) => value ?? ExecutionPlan.NullValue;

    internal static object? Unbox(object? boxed) => ReferenceEquals(boxed, ExecutionPlan.NullValue) ? null : boxed;
}
