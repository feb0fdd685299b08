using System.Collections.Concurrent;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Operations;
using VoxScheduler.Storage;

namespace VoxScheduler.Scheduling;

/// <summary>
/// Runs DAGs: one per process, many concurrent executions, each on its own store (opened
/// once per backend and path and shared by the executions that use it).
/// </summary>
public sealed class DynamicScheduler : IAsyncDisposable
{
    /// <summary>The backend name of memory-only executions (no store: nothing persisted, nothing cached across executions).</summary>
    public const string MemoryBackend = "none";

    private readonly ConcurrentDictionary<string, ScheduledExecution> _executions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Id, long Bytes)> _finishedOrder = new();
    private long _retainedBytes;
    private readonly StoreCache<StoreAddress, StoreSlot> _stores;
    private readonly ConcurrentDictionary<IResultStore, StoreSlot> _externalStores = new(ReferenceEqualityComparer.Instance);
    private readonly StoreSlot _memory = new(null);
    private readonly ConcurrentDictionary<StoreAddress, StoreRetention?> _retentions = new();
    private int _disposed;

    /// <summary>Creates a scheduler over a set of operations.</summary>
    public DynamicScheduler(OperationRegistry operations, SchedulerOptions? options = null)
    {
        Operations = operations ?? throw new ArgumentNullException(nameof(operations));
        Options = options ?? new SchedulerOptions();
        if (Options.MaxWorkers < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxWorkers must be at least 1.");
        Pool = new WorkerPool(Options.MaxWorkers);
        Options.Retention?.Validate();
        _stores = new StoreCache<StoreAddress, StoreSlot>(OpenSlotAsync, maxOpen: Math.Max(0, Options.MaxOpenStores)); // 0 or less: no bound
    }

    /// <summary>The operations nodes may use.</summary>
    public OperationRegistry Operations { get; }

    /// <summary>The process-wide settings.</summary>
    public SchedulerOptions Options { get; }

    internal WorkerPool Pool { get; }

    /// <summary>
    /// Most nodes computing at once across all executions: the CPU workers (initially
    /// <see cref="SchedulerOptions.MaxWorkers"/>). Nodes waiting on I/O (asynchronous operations,
    /// inputs being read) hold no worker, so an execution may have more nodes in flight than
    /// this (up to its <see cref="ExecutionConfig.MaxConcurrentNodes"/>). Settable while
    /// executions run: a larger bound starts waiting work at once, a smaller one takes effect
    /// as workers finish their nodes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int MaxWorkers
    {
        get => Pool.Max;
        set => Pool.SetMax(value);
    }

    /// <summary>
    /// What a caller should be told about <paramref name="config"/>'s concurrency on this
    /// scheduler, or null: a MaxConcurrentNodes above <see cref="MaxWorkers"/> is honoured for
    /// nodes in flight, but at most MaxWorkers of them compute at once.
    /// </summary>
    public string? ConcurrencyWarning(ExecutionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var cap = MaxWorkers;
        if (config.MaxConcurrentNodes <= cap) return null;
        return $"max_concurrent_nodes {config.MaxConcurrentNodes} is above this process's worker cap of {cap}: up to " +
               $"{config.MaxConcurrentNodes} nodes may be in flight, but at most {cap} compute at once (nodes waiting on I/O hold no worker). " +
               "Raise the cap with the scheduler's MaxWorkers setting.";
    }

    /// <summary>Where the nodes of executions submitted from now on run (this process's workers unless replaced).</summary>
    internal INodeRunner Runner { get; set; } = LocalNodeRunner.Instance;

    /// <summary>
    /// Validates the DAG (every problem at once, as a <see cref="ValidationException"/>), opens
    /// or reuses the store named by the config, and starts the execution. Returns at once.
    /// </summary>
    public async ValueTask<IExecution> SubmitAsync(DagDefinition dag, ExecutionConfig? config = null, SubmitOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        config ??= new ExecutionConfig();
        options ??= new SubmitOptions();
        if (dag.Nodes.Count > config.MaxNodes)
        {
            throw new BudgetExceededException(BudgetExceededException.ExecutionNodes, config.MaxNodes, new ValidationProblem(
                "ExecutionNodeBudget", $"The DAG has {dag.Nodes.Count} nodes, more than the execution budget {BudgetExceededException.ExecutionNodes} = {config.MaxNodes}."));
        }

        var problems = new List<ValidationProblem>();
        try
        {
            config.Validate();
        }
        catch (ValidationException e)
        {
            problems.AddRange(e.Problems);
        }

        Operation?[]? ops = null;
        try
        {
            ops = DagValidator.Resolve<Operation>(dag, Operations);
        }
        catch (ValidationException e)
        {
            problems.AddRange(e.Problems);
        }

        if (options.Name is { } name && _executions.Values.Any(x => x.Name == name && !x.Completion.IsCompleted))
        {
            problems.Add(new("DuplicateExecutionName", $"An execution named '{name}' is already running."));
        }

        if (problems.Count > 0) throw new ValidationException(problems);

        var (slot, hold) = await GetSlotAsync(config, options, cancellationToken).ConfigureAwait(false);
        var id = Guid.NewGuid().ToString("N")[..16];
        var execution = new ScheduledExecution(this, id, dag, ops!, config, options, slot, hold);
        _executions[id] = execution;
        execution.Start();
        return execution;
    }

    /// <summary>
    /// The store for a backend and path, opened once and shared. The store stays open for the
    /// scheduler's lifetime (it is pinned, whatever <see cref="SchedulerOptions.MaxOpenStores"/>);
    /// a long-lived process serving many paths uses <see cref="LeaseStoreAsync"/> instead.
    /// </summary>
    public async ValueTask<IResultStore> GetStoreAsync(string backend, string path, CancellationToken cancellationToken = default)
    {
        var slot = IsMemory(backend) ? _memory : await _stores.PinAsync(Current(Address(backend, path)), cancellationToken).ConfigureAwait(false);
        return slot.Store ?? throw new VoxScheduler.StorageException($"Backend '{MemoryBackend}' has no store.");
    }

    /// <summary>The store for a backend and path, held open until the lease is disposed.</summary>
    public async ValueTask<StoreLease> LeaseStoreAsync(string backend, string path, CancellationToken cancellationToken = default)
    {
        if (string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase))
            throw new VoxScheduler.StorageException($"Backend '{MemoryBackend}' has no store.");
        return new StoreLease(await _stores.AcquireAsync(Current(Address(backend, path)), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>As <see cref="LeaseStoreAsync"/> when a store exists there, else null: reading never creates a store.</summary>
    public async ValueTask<StoreLease?> LeaseExistingStoreAsync(string backend, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase)) return null;
        var address = Current(Address(backend, path)); // probed once, not again by LeaseStoreAsync
        if (!_stores.Contains(address) && !StoreFactory.Exists(backend, path)) return null;
        return new StoreLease(await _stores.AcquireAsync(address, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The store for a backend and path when one exists there (shared like <see cref="GetStoreAsync"/>),
    /// or null: reading never creates a store.
    /// </summary>
    /// <exception cref="StorageException">Unknown backend, or the store exists but cannot be opened.</exception>
    public async ValueTask<IResultStore?> GetExistingStoreAsync(string backend, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase)) return null;
        var address = Current(Address(backend, path)); // probed once, not again by GetStoreAsync
        if (!_stores.Contains(address) && !StoreFactory.Exists(backend, path)) return null;
        return (await _stores.PinAsync(address, cancellationToken).ConfigureAwait(false)).Store
            ?? throw new VoxScheduler.StorageException($"Backend '{MemoryBackend}' has no store.");
    }

    /// <summary>
    /// Gives the store at a backend and path its own retention policy (null: back to
    /// <see cref="SchedulerOptions.Retention"/>). If the store is open, the policy is applied at
    /// once and from then on every <see cref="StoreRetention.Interval"/>; otherwise when the
    /// scheduler opens it. Results running executions still need are never evicted.
    /// </summary>
    /// <returns>What the application now did, or null when the store is not open (or bounds nothing).</returns>
    /// <exception cref="ValidationException">A field of the policy is out of range.</exception>
    public async ValueTask<RetentionReport?> SetRetentionAsync(string backend, string path, StoreRetention? retention,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(path);
        retention?.Validate();
        if (string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase)) return null;
        var address = Address(backend, path);
        _retentions[address] = retention;
        // Held while the policy is applied, so the store is not closed under it.
        using var lease = _stores.TryAcquireOpen(address);
        if (lease is null) return null;
        var slot = lease.Store;
        slot.Retention = retention ?? Options.Retention;
        StoreRetentionRunner.Schedule(slot, Options.TimeProvider, RetentionApplied);
        return await StoreRetentionRunner.ApplyAsync(slot, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the retention policy of the store at a backend and path now (as its background
    /// timer does), keeping what running executions still need; null when the store is not open,
    /// has no policy, or an application is already running.
    /// </summary>
    public async ValueTask<RetentionReport?> ApplyRetentionAsync(string backend, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase)) return null;
        using var lease = _stores.TryAcquireOpen(Address(backend, path));
        if (lease is null) return null;
        return await StoreRetentionRunner.ApplyAsync(lease.Store, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Raised after each background application of a store's retention policy (tests use it as a signal instead of sleeping).</summary>
    internal Action<RetentionReport?>? RetentionApplied { get; set; }

    /// <summary>The retention policy in force for the store at a backend and path (its own, else the scheduler's), or null.</summary>
    public StoreRetention? GetRetention(string backend, string path)
    {
        if (string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase)) return null;
        return _retentions.TryGetValue(Address(backend, path), out var own) && own is not null ? own : Options.Retention;
    }

    /// <summary>An execution of this process by id or name, or null.</summary>
    public IExecution? Find(string idOrName)
    {
        if (string.IsNullOrEmpty(idOrName)) return null;
        if (_executions.TryGetValue(idOrName, out var byId)) return byId;
        return _executions.Values.Where(x => string.Equals(x.Name, idOrName, StringComparison.Ordinal))
            .OrderByDescending(x => x.SubmittedAt).FirstOrDefault();
    }

    /// <summary>Forgets a finished execution of this process (its history in the store is the store's business); false when unknown or still running.</summary>
    public bool Forget(string executionId)
    {
        if (!_executions.TryGetValue(executionId, out var execution) || !execution.Completion.IsCompleted) return false;
        return _executions.TryRemove(new KeyValuePair<string, ScheduledExecution>(executionId, execution));
    }

    /// <summary>A progress snapshot, or null for an unknown execution.</summary>
    public ExecutionProgress? GetProgress(string executionId) => Find(executionId)?.GetProgress();

    /// <summary>Cancels an execution; false when unknown or already finished.</summary>
    public ValueTask<bool> CancelAsync(string executionId)
    {
        var execution = Find(executionId);
        if (execution is null || execution.Completion.IsCompleted) return ValueTask.FromResult(false);
        execution.Cancel();
        return ValueTask.FromResult(true);
    }

    /// <summary>Waits for an execution to end.</summary>
    /// <exception cref="SchedulingException">Unknown execution.</exception>
    public Task<ExecutionStatus> WaitAsync(string executionId, CancellationToken cancellationToken = default)
    {
        var execution = Find(executionId) ?? throw new SchedulingException($"No execution '{executionId}' in this process.");
        return execution.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Executions of this process (running and finished), newest first.</summary>
    public IReadOnlyList<IExecution> ListExecutions() =>
        _executions.Values.OrderByDescending(x => x.SubmittedAt).Cast<IExecution>().ToList();

    /// <summary>
    /// Ends every execution of this scheduler that is still running as
    /// <see cref="ExecutionStatus.Interrupted"/> with <paramref name="reason"/> (its host is going
    /// away: a stop nobody asked for, recorded so in the history; submitting again resumes), and
    /// waits for them to end, at most until <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <returns>The executions it interrupted.</returns>
    public async Task<IReadOnlyList<IExecution>> InterruptAllAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var running = _executions.Values.Where(x => !x.Completion.IsCompleted).ToList();
        foreach (var x in running) x.Interrupt(reason);
        await Task.WhenAll(running.Select(x => x.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return running;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var running = _executions.Values.Where(x => !x.Completion.IsCompleted).ToList();
        foreach (var x in running) x.Cancel();
        await Task.WhenAll(running.Select(x => x.Completion)).ConfigureAwait(false);
        // Every store nobody holds closes now (pinned ones too); a store still leased closes when its lease is disposed.
        await _stores.DisposeAsync().ConfigureAwait(false);
    }

    internal void OnFinished(ScheduledExecution execution)
    {
        var bytes = RetainedBytes(execution);
        _finishedOrder.Enqueue((execution.ExecutionId, bytes));
        Interlocked.Add(ref _retainedBytes, bytes);
        // Bounded by count and by bytes; the newest finished execution is always kept, so whoever
        // just ran it can still read its results.
        while ((_finishedOrder.Count > Options.RetainFinishedExecutions
                || (Options.RetainFinishedBytes > 0 && Interlocked.Read(ref _retainedBytes) > Options.RetainFinishedBytes && _finishedOrder.Count > 1))
               && _finishedOrder.TryDequeue(out var old))
        {
            _executions.TryRemove(old.Id, out _);
            Interlocked.Add(ref _retainedBytes, -old.Bytes);
        }
    }

    /// <summary>Estimated bytes of a DAG node held as an object (hashes, arguments, the node itself).</summary>
    internal const long RetainedBytesPerNode = 256;

    /// <summary>
    /// An estimate of what a finished execution keeps in memory: its compact DAG (or, for one that
    /// keeps its DAG as it is, about 256 bytes a node), one status byte a node, and its goal values.
    /// Estimated, not measured: it only has to rank and bound.
    /// </summary>
    internal static long RetainedBytes(IExecution execution) =>
        (execution is ScheduledExecution scheduled ? scheduled.RetainedDagBytes : execution.Dag.Nodes.Count * RetainedBytesPerNode)
        + execution.GetGoalResults().Sum(g => Math.Max(0, g.Size));

    /// <summary>The slot an execution runs on and its hold on the store (none for an external or memory-only one: the scheduler never closes those).</summary>
    private async ValueTask<(StoreSlot Slot, IDisposable? Hold)> GetSlotAsync(ExecutionConfig config, SubmitOptions options, CancellationToken cancellationToken)
    {
        if (options.Store is { } external) return (_externalStores.GetOrAdd(external, static s => new StoreSlot(s)), null);
        if (IsMemory(config.StorageBackend)) return (_memory, null);

        // Opened with the defaults: a store is shared by every execution on it, and each applies
        // its own compression, codec and streaming threshold to its writes (ExecutionConfig.WriteOptions).
        var lease = await _stores.AcquireAsync(Current(Address(config.StorageBackend, config.StoragePath)), cancellationToken).ConfigureAwait(false);
        return (lease.Store, lease);
    }

    /// <summary>Stores open now (in use or idle; at most <see cref="SchedulerOptions.MaxOpenStores"/> plus those in use).</summary>
    internal int OpenStores => _stores.Open;

    /// <summary>Stores opened so far (one closed and used again counts again).</summary>
    internal long StoresOpened => _stores.Opened;

    private static bool IsMemory(string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        return string.Equals(backend, MemoryBackend, StringComparison.OrdinalIgnoreCase);
    }

    private static StoreAddress Address(string backend, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new StoreAddress(StoreFactory.ResolveBackend(backend, path), StoreFactory.Location(backend, path));
    }

    /// <summary>
    /// The address, after forgetting the store open there if its folder no longer holds it (deleted
    /// while open: this process would go on writing into files no other connection can open, and
    /// lose them at exit); the caller then opens a new store there. Whoever still runs on the
    /// deleted one keeps it until they end. Folder backends opened by the factory only: a
    /// registered backend's store lives in its database, and a <see cref="SchedulerOptions.StoreOpener"/>
    /// decides itself what a location is.
    /// </summary>
    private StoreAddress Current(StoreAddress address)
    {
        if (Options.StoreOpener is null && StoreFactory.Backends.Contains(address.Backend) && _stores.Contains(address)
            && !HoldsAnyStore(address.Location))
        {
            _stores.Forget(address, static a => !HoldsAnyStore(a.Location));
        }

        return address;
    }

    // Looks only; a folder that cannot be probed is taken to still hold its store.
    private static bool HoldsAnyStore(string folder)
    {
        try
        {
            return StoreFactory.DetectBackend(folder) is not null;
        }
        catch (Exception e) when (e is VoxScheduler.StorageException or IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Opens a store for <see cref="_stores"/> (once per address, whoever asks first) and applies its retention policy.</summary>
    private async Task<StoreSlot> OpenSlotAsync(StoreAddress address)
    {
        var storeOptions = new StoreOptions();
        var store = Options.StoreOpener is { } open
            ? await open(address.Backend, address.Location, storeOptions, CancellationToken.None).ConfigureAwait(false)
            : await StoreFactory.OpenAsync(address.Backend, address.Location, storeOptions, CancellationToken.None).ConfigureAwait(false);
        var slot = new StoreSlot(store)
        {
            Retention = _retentions.TryGetValue(address, out var own) && own is not null ? own : Options.Retention,
        };
        if (slot.Retention is { IsEmpty: false })
        {
            // Applied at open, before any execution looks at the store, then in the background.
            try
            {
                await StoreRetentionRunner.ApplyAsync(slot, Options.TimeProvider, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VoxScheduler.StorageException or IOException or UnauthorizedAccessException)
            {
                // A store that cannot be trimmed (read-only media) still opens; the timer tries again.
            }

            StoreRetentionRunner.Schedule(slot, Options.TimeProvider, RetentionApplied);
        }

        return slot;
    }
}
