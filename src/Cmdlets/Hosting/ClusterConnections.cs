using System.Collections.Concurrent;
using VoxScheduler.Cluster.Client;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Scheduling;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>
/// The cluster connections of this PowerShell process (shared by its runspaces, as the engine is)
/// and the cluster executions submitted through them, which the execution cmdlets find beside the
/// local scheduler's. Closed when the module is removed.
/// </summary>
internal static class ClusterConnections
{
    /// <summary>The name of a connection made without -Name.</summary>
    public const string DefaultName = "default";

    // Finished cluster executions kept for lookup beyond this many are forgotten, oldest first (their history stays in the store).
    private const int MaxRetainedFinished = 1024;

    private static readonly ConcurrentDictionary<string, VoxClusterConnection> s_connections = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock s_executionsGate = new();
    private static readonly List<(RemoteExecution Execution, VoxClusterConnection Connection)> s_executions = [];

    public static IReadOnlyList<VoxClusterConnection> All => [.. s_connections.Values.OrderBy(c => c.ConnectedAt)];

    /// <summary>The connection of that name, or null.</summary>
    public static VoxClusterConnection? Find(string name) => s_connections.GetValueOrDefault(name);

    /// <summary>Adds a connection; false when the name is taken.</summary>
    public static bool TryAdd(VoxClusterConnection connection) => s_connections.TryAdd(connection.Name, connection);

    /// <summary>
    /// The connection a command uses when none is named: the only one, else the one named
    /// <see cref="DefaultName"/>; null (with why) otherwise.
    /// </summary>
    public static VoxClusterConnection? Default(out string why)
    {
        var all = All;
        why = string.Empty;
        if (all.Count == 1) return all[0];
        if (Find(DefaultName) is { } named) return named;
        why = all.Count == 0
            ? "This session is not connected to a cluster: Connect-VoxCluster -Redis <host:port> -ClusterId <id> first."
            : $"This session has {all.Count} cluster connections ({string.Join(", ", all.Select(c => c.Name))}) and none named '{DefaultName}': name one with -Connection.";
        return null;
    }

    /// <summary>Remembers a cluster execution so the execution cmdlets find it by id or name.</summary>
    public static void Track(RemoteExecution execution, VoxClusterConnection connection)
    {
        lock (s_executionsGate)
        {
            s_executions.Add((execution, connection));
            var finished = s_executions.Count(x => x.Execution.Completion.IsCompleted);
            if (finished > MaxRetainedFinished)
            {
                var drop = s_executions.Where(x => x.Execution.Completion.IsCompleted).Take(finished - MaxRetainedFinished).ToHashSet();
                s_executions.RemoveAll(drop.Contains);
            }
        }
    }

    /// <summary>The cluster executions followed by this process, oldest first.</summary>
    public static IReadOnlyList<RemoteExecution> Executions
    {
        get
        {
            lock (s_executionsGate) return [.. s_executions.Select(x => x.Execution)];
        }
    }

    /// <summary>A cluster execution of this process by id, else by name (the newest of that name); null when none.</summary>
    public static RemoteExecution? FindExecution(string idOrName)
    {
        lock (s_executionsGate)
        {
            foreach (var (execution, _) in s_executions)
            {
                if (string.Equals(execution.ExecutionId, idOrName, StringComparison.Ordinal)) return execution;
            }

            for (var i = s_executions.Count - 1; i >= 0; i--)
            {
                if (string.Equals(s_executions[i].Execution.Name, idOrName, StringComparison.OrdinalIgnoreCase)) return s_executions[i].Execution;
            }
        }

        return null;
    }

    /// <summary>True when a running cluster execution of this process has that name.</summary>
    public static bool IsNameRunning(string name)
    {
        lock (s_executionsGate)
        {
            return s_executions.Any(x => !x.Execution.Completion.IsCompleted && string.Equals(x.Execution.Name, name, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>The executions of a connection that have not ended.</summary>
    public static IReadOnlyList<RemoteExecution> Running(VoxClusterConnection connection)
    {
        lock (s_executionsGate)
        {
            return [.. s_executions.Where(x => ReferenceEquals(x.Connection, connection) && !x.Execution.Completion.IsCompleted).Select(x => x.Execution)];
        }
    }

    /// <summary>
    /// Closes a connection: stops following its executions (they go on on the cluster) and
    /// disconnects the client, within <paramref name="timeout"/>.
    /// </summary>
    public static async Task CloseAsync(VoxClusterConnection connection, TimeSpan timeout)
    {
        if (!connection.MarkClosed()) return;
        s_connections.TryRemove(new KeyValuePair<string, VoxClusterConnection>(connection.Name, connection));
        List<RemoteExecution> followed;
        lock (s_executionsGate)
        {
            followed = [.. s_executions.Where(x => ReferenceEquals(x.Connection, connection)).Select(x => x.Execution)];
        }

        var closing = Task.WhenAll(followed.Select(e => e.DisposeAsync().AsTask()).Append(connection.Client.DisposeAsync().AsTask()));
        try
        {
            await closing.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The client goes on closing in the background; the session no longer uses it.
        }
    }

    /// <summary>Closes every connection (the module is being removed).</summary>
    public static void CloseAll(TimeSpan timeout)
    {
        var all = All;
        if (all.Count == 0) return;
        try
        {
            Task.WhenAll(all.Select(c => CloseAsync(c, timeout))).Wait(timeout + TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
            // Removal goes on; a client that failed to close holds no resource of this session any more.
        }
    }
}
