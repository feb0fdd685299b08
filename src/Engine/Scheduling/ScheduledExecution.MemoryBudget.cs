using System.Diagnostics;
using System.Runtime.CompilerServices;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Live values and the memory budget (<see cref="ExecutionConfig.MemoryBudget"/>). A live value
/// is a result held in memory for consumers that have not run yet; their bytes are counted as
/// they enter and leave the plan (<see cref="ExecutionProgress.LiveBytes"/>, and the peak). With
/// a budget, a running node also counts the bytes its output will take (reserved when it starts:
/// the largest output its operator has given in this execution, else its largest input), so the
/// count follows the memory in use and not only the results already made.
/// <para>
/// A ready node with a live input finishes work already begun and always runs, the oldest
/// case's first (depth first across cases: the cases begun earliest finish first and let go of
/// their memory, so few are live at once). A ready node without one starts new work (a load, the
/// next case of a dataset) and waits in <see cref="_held"/> until the budget has room for it.
/// </para>
/// <para>
/// A case is what one node of new work sets going: the node and every node that runs on its
/// values (a node belongs to the case of its first live input). Its memory is what its values
/// and running nodes hold; once none of its nodes is running and it holds at most a sixteenth of
/// its peak (its result, say), it has settled and its peak sizes the next cases (the estimate:
/// the largest settled peak). Until one has settled, cases run one at a time. Then new work is
/// admitted when the live bytes, plus what the cases still growing will add (the estimate less
/// their peak so far), plus the new case fit in the budget: a whole case when one fits in the
/// budget, else (a case larger than the budget) the new node's own output, so the next case
/// starts as soon as the one before has shrunk back under the budget rather than after its last
/// write. Never a deadlock: when nothing of the execution is running (and the persister holds no
/// value it will release), the next node runs even over the budget.
/// </para>
/// </summary>
internal sealed partial class ScheduledExecution
{
    /// <summary>Puts a node's value in the plan for its consumers, counting its bytes (and its case's).</summary>
    private void SetLiveLocked(int n, object boxed)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        _plan.Values[n] = boxed;
        // The plan is a holder of a pooled value (an image's buffer) until ReleaseValueLocked.
        PooledValues.Retain(boxed);
        var size = LiveSize(boxed);
        _liveBytes += size;
        if (_liveBytes > _peakLiveBytes) _peakLiveBytes = _liveBytes;
        if (_budget > 0 && _caseOf.TryGetValue(n, out var c) && _cases.TryGetValue(c, out var usage))
        {
            usage.Live += size;
            if (usage.Live > usage.Peak) usage.Peak = usage.Live;
            UpdateGrowthLocked(usage);
        }
    }

    /// <summary>Bytes of a live value: each kind counts its own (an image its voxels); the same value always gives the same count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long LiveSize(object boxed)
    {
        var v = Unbox(boxed);
        return v switch
        {
            null => 0,
            double => 8,
            object?[] or IReadOnlyDictionary<string, object?> => ValueKinds.EstimateSize(v),
            _ => ValueKinds.Of(v)?.SizeInBytes(v) ?? 24,
        };
    }

    /// <summary>
    /// The next ready node under a budget: one that finishes work begun, the oldest case's first
    /// (new work met on the way is set aside in <see cref="_held"/>), else the oldest held one if
    /// the budget has room for it.
    /// </summary>
    private bool TryPopWithinBudgetLocked(out int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        while (_ready.TryPop(out n))
        {
            if (_plan.State[n] != NodeState.Ready) continue;
            if (BegunCaseLocked(n) is { } sequence) _begun.Enqueue(n, (sequence, -++_readyOrder));
            else _held.Enqueue(n);
        }

        while (_begun.TryDequeue(out n, out _))
        {
            if (_plan.State[n] == NodeState.Ready) return true;
        }

        while (_held.Count > 0 && AdmitsNewWorkLocked(_held.Peek()))
        {
            n = _held.Dequeue();
            if (_plan.State[n] == NodeState.Ready) return true;
        }

        n = -1;
        return false;
    }

    /// <summary>
    /// When <paramref name="n"/> finishes work begun (some argument is a live value): the sequence
    /// number of its case (0 for a live input of no case, a value kept from an earlier run); else null.
    /// </summary>
    private int? BegunCaseLocked(int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        int? begun = null;
        foreach (var a in plan.Args[n])
        {
            if (plan.Values[a] is null || plan.Defs[a].Kind == NodeKind.Constant) continue;
            if (_caseOf.TryGetValue(a, out var owner) && _cases.TryGetValue(owner, out var usage)) return usage.Sequence;
            begun ??= 0;
        }

        return begun;
    }

    /// <summary>Whether one more node starting new work (<paramref name="candidate"/>, a new case) may run now.</summary>
    private bool AdmitsNewWorkLocked(int candidate)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        // Nothing running and nothing the persister will let go: no memory would ever be freed
        // otherwise, so the next node runs whatever the budget (never a deadlock).
        if (_running == 0 && _persisting == 0) return true;
        if (_caseEstimate < 0) return false; // no case has settled yet: one at a time
        // A case that fits in the budget claims its estimate; a larger one, its first output only
        // (it will exceed the budget alone anyway: it starts once the others have shrunk under it).
        var claim = _caseEstimate <= _budget ? _caseEstimate : ReservationLocked(candidate);
        return _liveBytes + _growth + claim <= _budget;
    }

    /// <summary>
    /// The bytes a node's output is expected to take: the largest output of its operator in this
    /// execution so far, else its largest live input (a voxel-wise kernel makes an image like its inputs).
    /// </summary>
    private long ReservationLocked(int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        if ((plan.Flags[n] & NodeFlags.Forward) != 0) return 0; // passes its input on: no new memory
        if (plan.Ops[n]?.Name is { } name && _outputSizes.TryGetValue(name, out var seen)) return seen;
        long largest = 0;
        foreach (var a in plan.Args[n])
        {
            if (plan.Values[a] is { } v && plan.Defs[a].Kind != NodeKind.Constant) largest = Math.Max(largest, LiveSize(v));
        }

        return largest;
    }

    /// <summary>
    /// A node starts: it opens a case (new work) or joins the case of its first live input, and
    /// reserves its output's bytes in the live values (and its case's). Returns the reservation.
    /// </summary>
    private long StartCaseNodeLocked(int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var c = n;
        foreach (var a in _plan.Args[n])
        {
            if (_plan.Values[a] is not null && _caseOf.TryGetValue(a, out var owner) && _cases.ContainsKey(owner))
            {
                c = owner;
                break;
            }
        }

        if (!_cases.TryGetValue(c, out var usage)) _cases[c] = usage = new CaseUsage { Sequence = ++_caseSequence };
        usage.Running++;
        _caseOf[n] = c;
        var reserved = ReservationLocked(n);
        _liveBytes += reserved;
        if (_liveBytes > _peakLiveBytes) _peakLiveBytes = _liveBytes;
        usage.Live += reserved;
        if (usage.Live > usage.Peak) usage.Peak = usage.Live;
        UpdateGrowthLocked(usage);
        return reserved;
    }

    /// <summary>A running node's outcome arrives: its reservation is given back, and its operator's output size noted.</summary>
    private void EndReservationLocked(int n, ref WorkItem work, NodeOutcome outcome)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (outcome.Kind == OutcomeKind.Value && (_plan.Flags[n] & NodeFlags.Forward) == 0 && _plan.Ops[n]?.Name is { } name)
        {
            var size = LiveSize(outcome.Value!);
            if (!_outputSizes.TryGetValue(name, out var seen) || size > seen) _outputSizes[name] = size;
        }

        var reserved = work.Reserved;
        if (reserved == 0) return;
        work.Reserved = 0;
        _liveBytes -= reserved;
        if (_caseOf.TryGetValue(n, out var c) && _cases.TryGetValue(c, out var usage))
        {
            usage.Live -= reserved;
            UpdateGrowthLocked(usage);
        }
    }

    /// <summary>A node's try ended (its value, if any, is already counted): its case may have settled.</summary>
    private void CaseNodeDoneLocked(int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (!_caseOf.TryGetValue(n, out var c)) return;
        if (_plan.Values[n] is null) _caseOf.Remove(n);
        if (!_cases.TryGetValue(c, out var usage)) return;
        usage.Running--;
        SettleLocked(c, usage);
    }

    /// <summary>A live value left memory: its case holds less.</summary>
    private void CaseValueReleasedLocked(int n, long size)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (!_caseOf.Remove(n, out var c) || !_cases.TryGetValue(c, out var usage)) return;
        usage.Live -= size;
        SettleLocked(c, usage);
    }

    private void SettleLocked(int c, CaseUsage usage)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (usage.Running > 0 || usage.Live > usage.Peak / 16)
        {
            UpdateGrowthLocked(usage);
            return;
        }

        usage.Settled = true;
        UpdateGrowthLocked(usage);
        // The estimate rises by steps of an eighth or more, so the growth of the open cases is
        // recounted a bounded number of times (a few for a dataset of alike cases).
        if (usage.Peak > _caseEstimate + _caseEstimate / 8)
        {
            _caseEstimate = usage.Peak;
            foreach (var open in _cases.Values) UpdateGrowthLocked(open);
        }

        if (usage.Live <= 0) _cases.Remove(c);
    }

    /// <summary>
    /// Keeps <see cref="_growth"/>, what the cases still growing will add, up to date with one
    /// case: the estimate less its peak so far while it has not settled and holds at least half
    /// its peak (a case that has fallen to under half its peak is past it).
    /// </summary>
    private void UpdateGrowthLocked(CaseUsage usage)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var growth = !usage.Settled && usage.Live * 2 >= usage.Peak && _caseEstimate > usage.Peak ? _caseEstimate - usage.Peak : 0;
        _growth += growth - usage.Growth;
        usage.Growth = growth;
    }

    /// <summary>What one case holds now and at most, how many of its nodes are running, and what it is expected to add.</summary>
    private sealed class CaseUsage
    {
        public long Live;
        public long Peak;
        public long Growth;
        public int Running;
        public int Sequence;
        public bool Settled;
    }
}
