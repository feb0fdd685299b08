using Microsoft.Extensions.Logging;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Client;

/// <summary>How a front end follows a cluster execution through <see cref="RemoteExecution"/>: where it reads results, what it loads, how long it waits.</summary>
public sealed record RemoteExecutionOptions
{
    /// <summary>Default of <see cref="MaxValueBytes"/>.</summary>
    public const long DefaultMaxValueBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The shared store namespace the results go to, opened by the front end and shown as the
    /// execution's <see cref="Scheduling.IExecution.Store"/>; goal values are read from it unless
    /// <see cref="ReadResult"/> is given. Null: no store shown.
    /// </summary>
    public IResultStore? Store { get; init; }

    /// <summary>Reads a result's byte form from the shared store (null when it is not there); null: <see cref="Store"/> is read.</summary>
    public Func<NodeId, CancellationToken, Task<byte[]?>>? ReadResult { get; init; }

    /// <summary>
    /// The largest goal value read into <see cref="Scheduling.GoalResult.Value"/>, by stored size; a
    /// larger one stays in the store (the front end streams it). Large objects are never read.
    /// </summary>
    public long MaxValueBytes { get; init; } = DefaultMaxValueBytes;

    /// <summary>How often the coordinator is asked for news when nothing is happening (and how long events gather between batches).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the coordinator may stay unreachable before the execution ends here as interrupted.</summary>
    public TimeSpan LostAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Who follows it, as the reason names it when following stops ("This client", "The server").</summary>
    public string Follower { get; init; } = "This client";

    /// <summary>Receives each cancellation call sent to the cluster (a server waits for them when it stops).</summary>
    public Action<Task>? TrackCall { get; init; }

    /// <summary>Where warnings go (an interrupted or lost execution); null: nowhere.</summary>
    public ILogger? Logger { get; init; }
}
