using Microsoft.Extensions.Logging;

namespace VoxScheduler.Cluster.Coordinator;

/// <summary>
/// Ties the silo's coordinator to the silo's stop (SIGTERM, host shutdown). The stop reaches it
/// first, before Orleans tells clients to leave the gateway or deactivates grains: its running
/// executions then end <c>Interrupted</c> with the reason (history and clients), not <c>Failed</c>
/// because the silo's own worker slots went away under them. The coordinator is made on the
/// silo's first execution, so it attaches itself here when it is made (possibly after the stop began).
/// </summary>
internal sealed class CoordinatorLifetime(ILogger<CoordinatorLifetime> log) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The stage this stops at: above <see cref="ServiceLifecycleStage.Active"/>, whose stop tells clients to stop sending here.</summary>
    public const int Stage = ServiceLifecycleStage.Active + 1;

    private readonly Lock _gate = new();
    private ClusterCoordinator? _coordinator;
    private bool _stopping;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CoordinatorLifetime), Stage, _ => Task.CompletedTask, StopAsync);

    /// <summary>Called by the coordinator when it is made; true when the silo is already stopping.</summary>
    public bool Attach(ClusterCoordinator coordinator)
    {
        lock (_gate)
        {
            _coordinator = coordinator;
            return _stopping;
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        ClusterCoordinator? coordinator;
        lock (_gate)
        {
            _stopping = true;
            coordinator = _coordinator;
        }

        if (coordinator is null) return;
        try
        {
            await coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("The silo's stop timed out before its executions were reported interrupted.");
        }
    }
}
