namespace VoxScheduler.Images.Kernels;

/// <summary>
/// Runs a kernel over contiguous ranges of lines or planes in parallel, checking cancellation
/// between ranges (never per voxel).
/// </summary>
internal static class Slabs
{
    /// <summary>Below this many voxels the thread hand-off costs more than it saves.</summary>
    private const int SequentialBelow = 1 << 15;

    /// <summary>
    /// Calls <paramref name="body"/> with [start, end) ranges covering [0, count): a few ranges per
    /// core so uneven work still balances, one range when the whole job
    /// (<paramref name="count"/> × <paramref name="workPerItem"/>) is too small to share, and never
    /// a range of fewer than <paramref name="minPerRange"/> items.
    /// </summary>
    public static void For(int count, long workPerItem, CancellationToken cancellationToken, Action<int, int> body, int minPerRange = 1)
    {
        if (count <= 0) return;
        cancellationToken.ThrowIfCancellationRequested();
        var cores = Environment.ProcessorCount;
        var ranges = Math.Min(count / Math.Max(1, minPerRange), cores * 4);
        if (cores == 1 || ranges <= 1 || count * Math.Max(1, workPerItem) < SequentialBelow)
        {
            body(0, count);
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        var options = new ParallelOptions { CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, ranges, options, r =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = (int)((long)count * r / ranges);
                var end = (int)((long)count * (r + 1) / ranges);
                if (end > start) body(start, end);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
