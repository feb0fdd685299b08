namespace VoxScheduler.Storage;

/// <summary>
/// Open stores shared by key and held by counted leases: one store per key however many callers
/// use it at once, opened by the first of them. A store nobody holds (idle) stays open for the next
/// caller, but only within the bounds: past <see cref="MaxIdle"/> idle stores, or past
/// <see cref="MaxOpen"/> stores open in all, the least recently used idle one is closed. A store in
/// use is never closed, so the open count is at most the stores in use plus the bound, however many
/// keys strangers name. A key that failed to open is forgotten, so the next caller tries again.
/// The scheduler (its stores and their per-store state) and a silo's worker (its namespaces) both
/// keep their stores here.
/// </summary>
/// <typeparam name="TKey">What names a store; its text names it in errors.</typeparam>
/// <typeparam name="TStore">What is kept open; disposing it closes it.</typeparam>
internal sealed class StoreCache<TKey, TStore> : IAsyncDisposable
    where TKey : notnull
    where TStore : class, IAsyncDisposable
{
    private readonly Func<TKey, Task<TStore>> _open;
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Entry> _entries;
    private readonly LinkedList<Entry> _idle = []; // least recently used first
    private readonly HashSet<Task> _closing = [];
    private readonly HashSet<Entry> _forgotten = []; // forgotten while held: closed when the last holder lets go
    private long _opened;
    private bool _disposed;

    /// <param name="open">Opens the store of a key (called outside any lock, once per opening, never under a caller's cancellation).</param>
    /// <param name="maxOpen">Stores open at most, in use or idle, before idle ones are closed (0: no bound).</param>
    /// <param name="maxIdle">Idle stores kept open at most (0: a store closes as soon as its last user is done).</param>
    /// <param name="comparer">Compares keys; null: the default.</param>
    public StoreCache(Func<TKey, Task<TStore>> open, int maxOpen = 0, int maxIdle = int.MaxValue, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOpen);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdle);
        _open = open;
        MaxOpen = maxOpen;
        MaxIdle = maxIdle;
        _entries = new Dictionary<TKey, Entry>(comparer);
    }

    /// <summary>Stores open at most before idle ones are closed (0: no bound).</summary>
    public int MaxOpen { get; }

    /// <summary>Idle stores kept open at most.</summary>
    public int MaxIdle { get; }

    /// <summary>Stores open or opening now (in use or idle).</summary>
    public int Open
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>Stores opened so far (a key closed and used again counts again).</summary>
    public long Opened
    {
        get
        {
            lock (_gate) return _opened;
        }
    }

    /// <summary>
    /// Forgets the store open under <paramref name="key"/> (one still opening is left alone), if
    /// <paramref name="when"/> (asked under the cache's lock, once the store is open) agrees: the
    /// next caller opens a new one. Whoever holds the old one (a pin, a lease) keeps it; it closes
    /// when the last of them lets go, or at once when nobody holds it. True when one was forgotten.
    /// </summary>
    public bool Forget(TKey key, Func<TKey, bool>? when = null)
    {
        List<Entry>? close = null;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || !entry.Opening.IsCompletedSuccessfully) return false;
            // Asked here: a store opened again meanwhile by another caller is never the one forgotten.
            if (when is not null && !when(key)) return false;
            Forget(entry);
            if (entry.IdleNode is { } node)
            {
                _idle.Remove(node);
                entry.IdleNode = null;
            }

            if (entry.Users > 0) _forgotten.Add(entry);
            else Doom(entry, ref close);
        }

        StartClosing(close);
        return true;
    }

    /// <summary>True when the store of <paramref name="key"/> is open or opening.</summary>
    public bool Contains(TKey key)
    {
        lock (_gate) return _entries.ContainsKey(key);
    }

    /// <summary>The store of <paramref name="key"/>, opened if need be, held until the lease is disposed.</summary>
    /// <exception cref="StorageException">The store cannot be opened (the message names the key).</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public async Task<Lease> AcquireAsync(TKey key, CancellationToken cancellationToken)
    {
        Entry entry;
        List<Entry>? close = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(key, out entry!))
            {
                // Started outside the lock: opening does I/O. A caller that stops waiting leaves the
                // opening running, so the next caller gets that store rather than a second copy of it.
                entry = new Entry(key);
                entry.Opening = Task.Run(() => OpenNamedAsync(key), CancellationToken.None);
                _entries[key] = entry;
                _opened++;
                _ = entry.Opening.ContinueWith(static (_, state) =>
                {
                    var (cache, opened) = ((StoreCache<TKey, TStore>, Entry))state!;
                    cache.Settle(opened);
                }, (this, entry), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                TrimLocked(ref close); // the new store counts towards MaxOpen from now on
            }

            Hold(entry);
        }

        StartClosing(close);

        try
        {
            return new Lease(this, entry, await entry.Opening.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            Release(entry);
            throw;
        }
    }

    /// <summary>The store of <paramref name="key"/> held by a new lease when it is open now, else null (nothing is opened).</summary>
    public Lease? TryAcquireOpen(TKey key)
    {
        lock (_gate)
        {
            if (_disposed || !_entries.TryGetValue(key, out var entry) || !entry.Opening.IsCompletedSuccessfully) return null;
            Hold(entry);
            return new Lease(this, entry, entry.Opening.Result);
        }
    }

    /// <summary>
    /// The store of <paramref name="key"/>, held until the cache is disposed (for callers that keep
    /// the store itself rather than a lease): never closed before, whatever the bounds.
    /// </summary>
    public async Task<TStore> PinAsync(TKey key, CancellationToken cancellationToken)
    {
        var lease = await AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        bool disposed;
        lock (_gate)
        {
            // The first pin keeps its lease's hold for good (DisposeAsync gives it back); later pins of the same store give theirs back now.
            disposed = _disposed;
            if (!disposed && lease.Pins()) return lease.Store;
        }

        lease.Dispose();
        ObjectDisposedException.ThrowIf(disposed, this);
        return lease.Store;
    }

    private void Hold(Entry entry)
    {
        entry.Users++;
        if (entry.IdleNode is { } node)
        {
            _idle.Remove(node);
            entry.IdleNode = null;
        }
    }

    private async Task<TStore> OpenNamedAsync(TKey key)
    {
        try
        {
            return await _open(key).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is StorageException && e.Message.Contains(key.ToString() ?? string.Empty, StringComparison.Ordinal)))
        {
            // Whoever reads the error learns which store failed, whatever the opener said.
            throw new StorageException($"The store '{key}' cannot be opened: {e.Message}", null, e);
        }
    }

    /// <summary>The opening ended: a failure is forgotten (the next caller opens again), a store nobody waits for any more becomes idle.</summary>
    private void Settle(Entry entry)
    {
        List<Entry>? close = null;
        lock (_gate)
        {
            if (entry.Gone) return;
            if (!entry.Opening.IsCompletedSuccessfully) Forget(entry);
            else if (entry.Users == 0 && entry.IdleNode is null) Idle(entry, ref close);
        }

        StartClosing(close);
    }

    private void Release(Entry entry)
    {
        List<Entry>? close = null;
        lock (_gate)
        {
            if (entry.Opening.IsCompleted && !entry.Opening.IsCompletedSuccessfully) Forget(entry);
            if (--entry.Users > 0) return;
            // Still opening (its only caller gave up): Settle decides when it is open.
            if (!entry.Opening.IsCompletedSuccessfully) return;
            Idle(entry, ref close);
        }

        StartClosing(close);
    }

    /// <summary>Makes an open store nobody holds idle (most recently used), or dooms it when the cache is disposed.</summary>
    private void Idle(Entry entry, ref List<Entry>? close)
    {
        if (_disposed || entry.Gone)
        {
            // Gone: forgotten (Forget) while held; its last holder just let go.
            _forgotten.Remove(entry);
            Doom(entry, ref close);
            return;
        }

        entry.IdleNode = _idle.AddLast(entry);
        TrimLocked(ref close);
    }

    private void TrimLocked(ref List<Entry>? close)
    {
        while (_idle.First is { } oldest && (_idle.Count > MaxIdle || (MaxOpen > 0 && _entries.Count > MaxOpen)))
        {
            _idle.RemoveFirst();
            oldest.Value.IdleNode = null;
            Doom(oldest.Value, ref close);
        }
    }

    private void Forget(Entry entry)
    {
        if (entry.Gone) return;
        entry.Gone = true;
        _entries.Remove(entry.Key);
    }

    /// <summary>
    /// Forgets a store nobody holds and registers its closing (under the lock, so <see cref="DisposeAsync"/>
    /// never misses one); the caller starts it with <see cref="StartClosing"/> once out of the lock, as
    /// disposing a store may block (a writer thread flushing).
    /// </summary>
    private void Doom(Entry entry, ref List<Entry>? close)
    {
        Forget(entry);
        entry.Closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _closing.Add(entry.Closed.Task);
        (close ??= []).Add(entry);
    }

    private void StartClosing(List<Entry>? close)
    {
        if (close is null) return;
        foreach (var entry in close) _ = CloseAsync(entry);
    }

    private async Task CloseAsync(Entry entry)
    {
        try
        {
            await (await entry.Opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Never opened, or closing failed: nothing holds it any more, and what was written is already durable.
        }

        lock (_gate) _closing.Remove(entry.Closed!.Task);
        entry.Closed.SetResult();
    }

    /// <summary>
    /// Closes every store nobody holds (idle, pinned, or still opening for nobody) and waits for
    /// every closing; a store still held closes when its last lease is disposed. Acquiring afterwards throws.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task[] closing;
        List<Entry>? close = null;
        lock (_gate)
        {
            _disposed = true;
            foreach (var entry in _entries.Values.Concat(_forgotten).ToList())
            {
                if (entry.Pinned)
                {
                    entry.Pinned = false;
                    entry.Users--;
                }

                if (entry.Users > 0) continue;
                if (entry.IdleNode is { } node)
                {
                    _idle.Remove(node);
                    entry.IdleNode = null;
                }

                Doom(entry, ref close);
            }

            closing = [.. _closing];
        }

        StartClosing(close);
        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    /// <summary>One key's store: its opening, who holds it, and its place among the idle ones (all guarded by the cache's lock).</summary>
    internal sealed class Entry(TKey key)
    {
        public TKey Key { get; } = key;

        public Task<TStore> Opening { get; set; } = null!;

        public int Users { get; set; }

        public bool Pinned { get; set; }

        /// <summary>Forgotten by the cache (closed, closing, or failed): a later caller opens a new entry.</summary>
        public bool Gone { get; set; }

        public LinkedListNode<Entry>? IdleNode { get; set; }

        /// <summary>Completed once the store is closed (set when it is doomed).</summary>
        public TaskCompletionSource? Closed { get; set; }
    }

    /// <summary>A hold on one store: use <see cref="Store"/> until disposing it, never after.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly StoreCache<TKey, TStore> _owner;
        private readonly Entry _entry;
        private int _released;

        internal Lease(StoreCache<TKey, TStore> owner, Entry entry, TStore store)
        {
            _owner = owner;
            _entry = entry;
            Store = store;
        }

        /// <summary>The store, open while the lease is held.</summary>
        public TStore Store { get; }

        /// <summary>Turns this lease's hold into the store's pin (under the cache's lock); false when the store is pinned already.</summary>
        internal bool Pins()
        {
            if (_entry.Pinned) return false;
            _entry.Pinned = true;
            _released = 1; // the hold now belongs to the pin, given back when the cache is disposed
            return true;
        }

        /// <summary>Gives the hold back; the store may then be closed.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(_entry);
        }
    }
}
