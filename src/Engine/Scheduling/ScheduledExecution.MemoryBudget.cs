using System.Diagnostics;
using System.Runtime.CompilerServices;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Live values and the memory budget (<see cref="ExecutionConfig.MemoryBudget"/>). A live value
/// is a result held in memory for consumers that have not run yet; their bytes are counted as
/// they enter and leave the plan (<see cref="ExecutionProgress.LiveBytes"/>, and the peak). With
/// a budget, a ready node with a live input finishes work already begun and always runs; a
/// ready node without one starts new work (a load, the next case of a dataset) and waits in
/// <see cref="_held"/> unless the live values plus one more case fit in the budget.
/// <para>
/// A case is what one node of new work sets going: the node and every node that runs on its
/// values (a node belongs to the case of its first live input). Its memory is what its values
/// hold; once none of its nodes is running and it holds at most a sixteenth of its peak (its
/// result, say), it has settled and its peak sizes the next cases (the largest settled peak).
/// Until one has settled, cases run one at a time. Never a deadlock: when nothing of the
/// execution is running (and the persister holds no value it will release), the next node runs
/// even over the budget.
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

    /// <summary>True when some argument of <paramref name="n"/> is a live value (its run finishes work begun).</summary>
    private bool HasLiveInputLocked(int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        var plan = _plan;
        foreach (var a in plan.Args[n])
        {
            if (plan.Values[a] is not null && plan.Defs[a].Kind != NodeKind.Constant) return true;
        }

        return false;
    }

    /// <summary>
    /// The next ready node under a budget: one that finishes work begun first (new work met on
    /// the way is set aside in <see cref="_held"/>), else the oldest held one if new work fits.
    /// </summary>
    private bool TryPopWithinBudgetLocked(out int n)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        while (_ready.TryPop(out n))
        {
            if (_plan.State[n] != NodeState.Ready) continue;
            if (HasLiveInputLocked(n)) return true;
            _held.Enqueue(n);
        }

        if (_held.Count > 0 && AdmitsNewWorkLocked())
        {
            while (_held.TryDequeue(out n))
            {
                if (_plan.State[n] == NodeState.Ready) return true;
            }
        }

        n = -1;
        return false;
    }

    /// <summary>Whether one more node starting new work (a new case) may run now.</summary>
    private bool AdmitsNewWorkLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        // Nothing running and nothing the persister will let go: no memory would ever be freed
        // otherwise, so the next node runs whatever the budget (never a deadlock).
        if (_running == 0 && _persisting == 0) return true;
        if (_caseEstimate < 0) return false; // no case has settled yet: one at a time
        return _liveBytes + _caseEstimate <= _budget;
    }

    /// <summary>A node starts: it opens a case (new work) or joins the case of its first live input.</summary>
    private void StartCaseNodeLocked(int n)
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

        if (!_cases.TryGetValue(c, out var usage)) _cases[c] = usage = new CaseUsage();
        usage.Running++;
        _caseOf[n] = c;
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
        if (usage.Running > 0 || usage.Live > usage.Peak / 16) return;
        _caseEstimate = Math.Max(_caseEstimate, usage.Peak);
        if (usage.Live <= 0) _cases.Remove(c);
    }

    /// <summary>What one case holds now and at most, and how many of its nodes are running.</summary>
    private sealed class CaseUsage
    {
        public long Live;
        public long Peak;
        public int Running;
    }
}
