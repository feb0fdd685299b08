using VoxScheduler.Cluster.Placement;
using VoxScheduler.Cluster.Worker;

namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// A worker slot: hands each batch to its silo's <see cref="NodeWorker"/>. Placed on the silo
/// its key names, so a coordinator spreads its slots over the silos it sees; when that silo is
/// gone, the next call activates the slot on a live one.
/// </summary>
[SiloBoundPlacement]
internal sealed class WorkerSlotGrain(NodeWorker worker) : Grain, IWorkerSlotGrain
{
    private static int s_inFlight;
    private static int s_peakInFlight;

    /// <summary>Calls running in this process now, over all its silos (the tests' in-process cluster measures the concurrency limit with it).</summary>
    internal static int InFlightInProcess => Volatile.Read(ref s_inFlight);

    /// <summary>The most calls that ran at once in this process since <see cref="ResetPeak"/>.</summary>
    internal static int PeakInFlightInProcess => Volatile.Read(ref s_peakInFlight);

    internal static void ResetPeak() => Volatile.Write(ref s_peakInFlight, 0);

    private bool OnItsSilo()
    {
        this.GetPrimaryKeyLong(out var extension);
        var cut = extension?.LastIndexOf('|') ?? -1;
        return cut >= 0 && string.Equals(extension![(cut + 1)..], worker.Silo, StringComparison.Ordinal);
    }

    public async Task<NodeCallResult[]> RunAsync(NodeBatch batch, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref s_inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref s_peakInFlight)) && Interlocked.CompareExchange(ref s_peakInFlight, now, peak) != peak)
        {
        }

        try
        {
            // Placed on another silo (the named one had left, or was not in this silo's view of the cluster yet):
            // run this batch here, then leave, so the next call is placed again.
            if (!OnItsSilo()) DeactivateOnIdle();
            return await worker.RunAsync(batch, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref s_inFlight);
        }
    }
}
