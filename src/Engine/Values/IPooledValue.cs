namespace VoxScheduler.Values;

/// <summary>
/// A value whose memory goes back to a pool once nothing can see it any more (an image's voxel
/// buffer), so a long run reuses a few buffers instead of leaving garbage for the collector.
/// Whoever keeps the value where only the engine can reach it counts itself as a holder
/// (<see cref="Retain"/> … <see cref="Release"/>); the memory returns to its pool when the last
/// holder releases it. Whoever hands the value somewhere holders are not counted (a goal
/// result, the value cache, another execution, code outside the engine) calls
/// <see cref="Share"/> first, while still holding it: a shared value's memory is never
/// returned, the garbage collector takes it when it is unreachable. A value that was never
/// retained is never returned either, so forgetting to count can cost memory, never safety.
/// </summary>
internal interface IPooledValue
{
    /// <summary>One more holder, which will call <see cref="Release"/> once.</summary>
    void Retain();

    /// <summary>A holder is done with the value; the last one returns its memory to the pool unless it was shared.</summary>
    void Release();

    /// <summary>The value goes where holders are not counted: its memory will never return to the pool.</summary>
    void Share();
}
