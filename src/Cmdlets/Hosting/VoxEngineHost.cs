using System.Collections.Concurrent;
using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;
using VoxScheduler.Scheduling;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>
/// The one engine of the PowerShell process. Every runspace of the process (ForEach-Object
/// -Parallel, thread jobs, hosted runspaces) shares it, so one store is opened once and a node
/// is never executed twice by two engines. Holds no cmdlet, host or runspace reference.
/// </summary>
internal static class VoxEngineHost
{
    /// <summary>Environment variable naming the default store folder.</summary>
    public const string StoreVariable = "VOXSCHEDULER_STORE";

    /// <summary>Environment variable naming the default store's backend.</summary>
    public const string BackendVariable = "VOXSCHEDULER_BACKEND";

    private static readonly Lazy<OperationRegistry> s_operations = new(CreateOperations, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<DynamicScheduler> s_scheduler = new(CreateScheduler, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide scheduler, created on first use.</summary>
    public static DynamicScheduler Scheduler => s_scheduler.Value;

    /// <summary>True once the scheduler exists (completers use it to avoid starting the engine).</summary>
    public static bool IsStarted => s_scheduler.IsValueCreated;

    /// <summary>The operations nodes may use (built-ins plus registered script blocks).</summary>
    public static OperationRegistry Operations => s_operations.Value;

    /// <summary>
    /// The default store: <c>$env:VOXSCHEDULER_STORE</c>, else a per-user data folder
    /// (LocalApplicationData/VoxScheduler/store), never the process's current directory.
    /// </summary>
    public static StoreLocation DefaultStore
    {
        get
        {
            var path = Environment.GetEnvironmentVariable(StoreVariable);
            if (string.IsNullOrWhiteSpace(path))
            {
                var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
                if (string.IsNullOrEmpty(data))
                {
                    data = Path.Combine(Path.GetTempPath(), Environment.UserName);
                }

                path = Path.Combine(data, "VoxScheduler", "store");
            }

            path = Path.GetFullPath(path);
            return new StoreLocation(BackendFor(path), path);
        }
    }

    /// <summary>
    /// The backend of the store in a folder named without one: what it already holds, else
    /// <c>$env:VOXSCHEDULER_BACKEND</c>, else hybrid. An existing store always opens as what it is
    /// (a folder never mixes backends), so stores made when sqlite was the default keep working.
    /// </summary>
    public static string BackendFor(string path)
    {
        var chosen = Environment.GetEnvironmentVariable(BackendVariable);
        return StoreFactory.DetectBackend(path)
            ?? (string.IsNullOrWhiteSpace(chosen) ? StoreFactory.DefaultBackend : StoreFactory.ResolveBackend(chosen, path));
    }

    private const int SourcesPruneThreshold = 1024;

    /// <summary>Where each execution of this process came from (program path, "program text", "dag").</summary>
    public static ConcurrentDictionary<string, string> Sources { get; } = new(StringComparer.Ordinal);

    /// <summary>Remembers an execution's source; forgets those the scheduler no longer retains, so the map stays bounded.</summary>
    public static void RememberSource(string executionId, string source)
    {
        Sources[executionId] = source;
        if (Sources.Count > SourcesPruneThreshold)
        {
            foreach (var id in Sources.Keys)
            {
                if (Scheduler.Find(id) is null && ClusterConnections.FindExecution(id) is null) Sources.TryRemove(id, out _);
            }
        }
    }

    /// <summary>The store at a location, opened once per process and shared.</summary>
    public static ValueTask<IResultStore> GetStoreAsync(StoreLocation location, CancellationToken cancellationToken) =>
        Scheduler.GetStoreAsync(location.Backend, location.Path, cancellationToken);

    /// <summary>
    /// Exiting PowerShell (the end of <c>pwsh -c</c>, <c>exit</c>) stops the executions still
    /// running in it; they resume from their stored results when submitted again. That is said
    /// on the error stream, once, naming them, instead of happening silently. The host is gone
    /// by now, so it is written to the process's standard error.
    /// </summary>
    internal static void WarnAboutRunningExecutions(DynamicScheduler scheduler)
    {
        try
        {
            var running = scheduler.ListExecutions().Where(x => !x.Completion.IsCompleted).ToList();
            if (running.Count == 0) return;
            var names = string.Join(", ", running.Take(5).Select(x => x.Name is { Length: > 0 } n ? $"{x.ExecutionId} ({n})" : x.ExecutionId));
            var more = running.Count > 5 ? $" and {running.Count - 5} more" : string.Empty;
            Console.Error.WriteLine(
                $"WARNING: VoxScheduler: PowerShell is exiting with {running.Count} execution(s) still running, which are stopped now: {names}{more}. " +
                "Results already stored are kept and a new submission resumes from them; to let work finish, use Submit-VoxDag -Wait or Wait-VoxExecution before exiting.");
            Console.Error.Flush();
        }
        catch (Exception)
        {
            // The process is exiting; a warning that cannot be written is not worth a crash.
        }
    }

    // Operations exist without the scheduler, so inspecting DAGs and listing operations never starts the engine.
    private static OperationRegistry CreateOperations() => BuiltinOperations.CreateRegistry();

    private static DynamicScheduler CreateScheduler()
    {
        var scheduler = new DynamicScheduler(Operations);

        // Cancel running work and let the stores flush before the process goes away; a cancelled
        // run writes no partial result and resumes when submitted again.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            WarnAboutRunningExecutions(scheduler);
            try
            {
                scheduler.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
            }
            catch (Exception)
            {
                // The process is exiting; nothing useful can be reported any more.
            }
        };
        return scheduler;
    }
}
