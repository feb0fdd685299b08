using Microsoft.Extensions.Logging;
using Npgsql;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// Every silo, for as long as it is active, follows membership and, for each silo the cluster
/// declares dead, ends the execution records that silo was coordinating and left unfinished
/// (<see cref="PostgresLostCoordinators"/>): a coordinator killed with SIGKILL writes nothing, and its
/// records would read <c>Running</c> forever from every other machine. The dead silos already in the
/// membership table when this silo starts are swept too (a cluster whose only silo was killed and
/// started again). Only silos declared <see cref="SiloStatus.Dead"/> are passed, and a dead silo never
/// comes back (Orleans stops a silo that finds itself declared dead; a restarted one has a new
/// generation), so a live coordinator's records are never touched. A sweep that fails (the database
/// unreachable) is tried again after <see cref="RetryDelay"/>.
/// </summary>
internal sealed class LostCoordinatorWatch(IClusterMembershipService membership, string? connectionString, ILogger<LostCoordinatorWatch> log)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Pause before a failed sweep is tried again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();

    // Dead silos not swept yet, and those swept (kept while membership still lists them, so each is swept once).
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _swept = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private Task _follow = Task.CompletedTask;
    private Task _sweep = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LostCoordinatorWatch), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _follow = Task.Run(FollowAsync, CancellationToken.None);
        _sweep = Task.Run(SweepAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_follow, _sweep).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The silo's stop timed out: the tasks end with the process.
        }
    }

    private async Task FollowAsync()
    {
        try
        {
            Note(membership.CurrentSnapshot);
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stop.Token).ConfigureAwait(false)) Note(snapshot);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception e)
        {
            log.LogError(e, "This silo stopped following membership for lost coordinators: their executions are left to the other silos.");
        }
    }

    /// <summary>Queues the dead silos of <paramref name="snapshot"/> not swept yet.</summary>
    private void Note(ClusterMembershipSnapshot snapshot)
    {
        var dead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
        var added = false;
        lock (_gate)
        {
            // Entries the table no longer lists (defunct ones removed) need not be remembered.
            _swept.IntersectWith(dead);
            foreach (var silo in dead) added |= !_swept.Contains(silo) && _pending.Add(silo);
        }

        if (added) _signal.Release();
    }

    private async Task SweepAsync()
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
                List<string> silos;
                lock (_gate) silos = _pending.Take(PostgresLostCoordinators.MaxSilos).ToList();
                if (silos.Count == 0) continue;
                try
                {
                    var (changed, failed) = await PostgresLostCoordinators.SweepAsync(connectionString, silos, _stop.Token).ConfigureAwait(false);
                    if (failed.Count > 0)
                    {
                        log.LogWarning("Stores refused to record the executions of dead silos ({Silos}) Interrupted: {Failed}", string.Join(", ", silos),
                            string.Join("; ", failed.Take(10)));
                    }

                    lock (_gate)
                    {
                        foreach (var silo in silos)
                        {
                            _pending.Remove(silo);
                            _swept.Add(silo);
                        }

                        if (_pending.Count > 0) _signal.Release();
                    }

                    if (changed > 0)
                    {
                        log.LogWarning("{Count} executions coordinated by silos declared dead ({Silos}) were left running: recorded Interrupted.", changed,
                            string.Join(", ", silos));
                    }
                }
                catch (StorageException e)
                {
                    // No shared store configured for this silo (or a bad connection string): nothing it could end, now or later.
                    log.LogWarning("Executions of dead silos cannot be recorded Interrupted by this silo: {Error}", e.Message);
                    lock (_gate)
                    {
                        _pending.Clear();
                        _swept.UnionWith(silos);
                    }
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    log.LogWarning("Recording the executions of dead silos ({Silos}) Interrupted failed ({Error}); trying again in {Delay} s.",
                        string.Join(", ", silos), e.Message, RetryDelay.TotalSeconds);
                    await Task.Delay(RetryDelay, _stop.Token).ConfigureAwait(false);
                    _signal.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception e)
        {
            log.LogError(e, "This silo stopped recording the executions of dead silos Interrupted: they are left to the other silos.");
        }
    }
}
