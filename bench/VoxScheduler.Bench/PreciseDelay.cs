using System.Diagnostics;

namespace VoxScheduler.Bench;

/// <summary>
/// An asynchronous wait that ends close to the time asked for, for the benchmark's "10 ms" nodes.
/// <c>Task.Delay(10 ms)</c> waits 12.2 ms on the Linux machines here (the timer queue counts time
/// in the coarse system tick), so nodes meant to take 10 ms took 12 and the cluster's
/// share of "slots ÷ 10 ms" was understated by a fifth — while Dask's nodes, <c>time.sleep(0.01)</c>,
/// took 10.1. One background thread sleeps on a monitor until the earliest deadline (a timed
/// monitor wait is not quantised to the tick: about 0.2 ms late) and completes every wait due;
/// no thread is blocked per wait and no CPU is spent spinning. What a wait takes here is measured
/// by <see cref="MeasureAsync"/> and printed by the bench next to the figures that depend on it.
/// </summary>
internal static class PreciseDelay
{
    /// <summary>A wait due within this much of now ends now: the monitor wait itself overshoots by about as much.</summary>
    private static readonly long Early = Stopwatch.Frequency / 4000; // 0.25 ms

    private static readonly object Gate = new();
    private static readonly PriorityQueue<TaskCompletionSource, long> Due = new();
    private static Thread? _thread;

    /// <summary>Waits <paramref name="delay"/>; cancelled with <paramref name="cancellationToken"/>.</summary>
    public static Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        if (delay <= TimeSpan.Zero) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        lock (Gate)
        {
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "bench precise delay" };
                _thread.Start();
            }

            var earliest = Due.TryPeek(out _, out var first) ? first : long.MaxValue;
            Due.Enqueue(done, deadline);
            if (deadline < earliest) Monitor.Pulse(Gate);
        }

        if (!cancellationToken.CanBeCanceled) return done.Task;
        // A cancelled wait ends now; its entry stays queued until its deadline and is then a no-op.
        return WaitCancellableAsync(done, cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), done));
    }

    private static async Task WaitCancellableAsync(TaskCompletionSource done, CancellationTokenRegistration registration)
    {
        await using (registration.ConfigureAwait(false)) await done.Task.ConfigureAwait(false);
    }

    private static void Run()
    {
        var ready = new List<TaskCompletionSource>();
        while (true)
        {
            lock (Gate)
            {
                while (true)
                {
                    if (!Due.TryPeek(out _, out var deadline))
                    {
                        Monitor.Wait(Gate);
                        continue;
                    }

                    var left = deadline - Stopwatch.GetTimestamp();
                    if (left <= Early) break;
                    // Whole milliseconds (a monitor wait takes no less); at least one, so a wait under 1 ms does not spin.
                    Monitor.Wait(Gate, Math.Max(1, (int)(left * 1000 / Stopwatch.Frequency)));
                }

                var now = Stopwatch.GetTimestamp() + Early;
                while (Due.TryPeek(out var entry, out var at) && at <= now)
                {
                    Due.Dequeue();
                    ready.Add(entry);
                }
            }

            foreach (var entry in ready) entry.TrySetResult();
            ready.Clear();
        }
    }

    /// <summary>Mean milliseconds <paramref name="count"/> waits of <paramref name="delay"/> take, <paramref name="concurrent"/> at a time (what the bench's nodes wait).</summary>
    public static async Task<double> MeasureAsync(TimeSpan delay, int concurrent, int count)
    {
        var watch = Stopwatch.StartNew();
        var rounds = Math.Max(1, count / Math.Max(1, concurrent));
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, concurrent)).Select(async _ =>
        {
            for (var i = 0; i < rounds; i++) await WaitAsync(delay, CancellationToken.None).ConfigureAwait(false);
        })).ConfigureAwait(false);
        return watch.Elapsed.TotalMilliseconds / rounds;
    }
}
