using VoxScheduler.Storage;

namespace VoxScheduler.Cluster.Worker;

/// <summary>
/// The shared-store handles of a silo's worker, one per store namespace, held by the calls using
/// them (reference counts): a store nobody uses stays open for the next call on its namespace, but
/// only the <see cref="MaxIdle"/> most recently used idle ones do; older idle ones are closed. A
/// store in use is never closed, so the open count is at most the calls in flight (one per slot)
/// plus <see cref="MaxIdle"/>, however many namespaces strangers submit to. A namespace that
/// failed to open is forgotten, so the next call tries again.
/// </summary>
internal sealed class SiloStores : IAsyncDisposable
{
    private readonly Func<string, Task<IResultStore>> _open;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _idle = []; // least recently used first
    private readonly HashSet<Task> _closing = [];
    private bool _disposed;

    /// <param name="open">Opens the store of a namespace (called outside any lock, once per opening).</param>
    /// <param name="maxIdle">Idle stores kept open at most (0: a store is closed as soon as its last user is done).</param>
    public SiloStores(Func<string, Task<IResultStore>> open, int maxIdle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdle);
        _open = open;
        MaxIdle = maxIdle;
    }

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

    private long _opened;

    /// <summary>Stores opened so far (a namespace closed and used again counts again).</summary>
    public long Opened
    {
        get
        {
            lock (_gate) return _opened;
        }
    }

    /// <summary>The store of <paramref name="storeNamespace"/>, held until the lease is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The silo is stopping.</exception>
    public async Task<Lease> AcquireAsync(string storeNamespace, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(storeNamespace, out entry!))
            {
                // Started outside the lock: opening talks to the database.
                entry = new Entry(storeNamespace, Task.Run(() => _open(storeNamespace), CancellationToken.None));
                _entries[storeNamespace] = entry;
                _opened++;
            }

            entry.Users++;
            if (entry.IdleNode is { } node)
            {
                _idle.Remove(node);
                entry.IdleNode = null;
            }
        }

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

    private void Release(Entry entry)
    {
        List<Entry>? close = null;
        lock (_gate)
        {
            if (--entry.Users > 0) return;
            if (!entry.Opening.IsCompletedSuccessfully || _disposed)
            {
                // Failed (the next user opens it again), still opening for a user that gave up (closed once open), or the silo is stopping.
                Forget(entry);
                (close ??= []).Add(entry);
            }
            else
            {
                entry.IdleNode = _idle.AddLast(entry);
                while (_idle.Count > MaxIdle)
                {
                    var oldest = _idle.First!.Value;
                    _idle.RemoveFirst();
                    oldest.IdleNode = null;
                    Forget(oldest);
                    (close ??= []).Add(oldest);
                }
            }

            if (close is null) return;
            foreach (var e in close)
            {
                var closing = CloseAsync(e.Opening);
                _closing.Add(closing);
                _ = closing.ContinueWith(t =>
                {
                    lock (_gate) _closing.Remove(t);
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private void Forget(Entry entry)
    {
        if (_entries.TryGetValue(entry.Namespace, out var current) && ReferenceEquals(current, entry)) _entries.Remove(entry.Namespace);
    }

    private static async Task CloseAsync(Task<IResultStore> opening)
    {
        try
        {
            await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Never opened, or closing failed: nothing holds it any more, and what was written is already durable.
        }
    }

    /// <summary>Closes the idle stores and waits for every closing; stores still in use close when their last user is done.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] closing;
        lock (_gate)
        {
            _disposed = true;
            foreach (var entry in _idle)
            {
                entry.IdleNode = null;
                Forget(entry);
                _closing.Add(CloseAsync(entry.Opening));
            }

            _idle.Clear();
            closing = [.. _closing];
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    internal sealed class Entry(string storeNamespace, Task<IResultStore> opening)
    {
        public string Namespace { get; } = storeNamespace;

        public Task<IResultStore> Opening { get; } = opening;

        public int Users { get; set; }

        public LinkedListNode<Entry>? IdleNode { get; set; }
    }

    /// <summary>A hold on one store: use <see cref="Store"/> until disposing it, never after.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SiloStores _owner;
        private readonly Entry _entry;
        private int _released;

        internal Lease(SiloStores owner, Entry entry, IResultStore store)
        {
            _owner = owner;
            _entry = entry;
            Store = store;
        }

        public IResultStore Store { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(_entry);
        }
    }
}
