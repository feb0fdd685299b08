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
/// ready node without one would start new work (a load, a new case of a dataset) and waits in
/// <see cref="_held"/> while the live values and the new work already running would not fit in
/// the budget. New work's size is estimated by the largest value new work has produced so far
/// (until one has finished, one new node at a time). Never a deadlock: when nothing of the
/// execution is running, the next node runs even over the budget.
/// </summary>
internal sealed partial class ScheduledExecution
{
    /// <summary>Puts a node's value in the plan for its consumers, counting its bytes.</summary>
    private void SetLiveLocked(int n, object boxed)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        _plan.Values[n] = boxed;
        _liveBytes += LiveSize(boxed);
        if (_liveBytes > _peakLiveBytes) _peakLiveBytes = _liveBytes;
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

    /// <summary>Whether one more node starting new work may run now.</summary>
    private bool AdmitsNewWorkLocked()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        if (_running == 0) return true; // nothing would ever free memory otherwise: never a deadlock
        if (_freshEstimate < 0) return _freshRunning == 0 && _liveBytes < _budget;
        return _liveBytes + (_freshRunning + 1) * _freshEstimate <= _budget;
    }

    /// <summary>A node that started new work ended: it no longer counts as running new work, and its value sizes new work.</summary>
    private void NewWorkDoneLocked(in NodeOutcome outcome)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        _freshRunning--;
        if (outcome.Kind == OutcomeKind.Value && outcome.Value is { } value)
        {
            _freshEstimate = Math.Max(_freshEstimate, LiveSize(value));
        }
    }
}
