using VoxScheduler.Storage;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// <see cref="StoreCache{TKey,TStore}"/>, the bounded cache of open stores the scheduler and a silo's
/// worker share (issue 16): on real SQLite stores, each key a folder, each closing signalled.
/// </summary>
public sealed class StoreCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempFolder _temp = new("vox-store-cache");
    private readonly List<OpenedStore> _opened = [];
    private TaskCompletionSource? _gate;
    private Exception? _failNext;

    [Fact]
    public async Task Past_the_idle_bound_the_least_recently_used_idle_store_is_closed_and_one_in_use_never_is()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync, maxIdle: 3);
        using var held = await cache.AcquireAsync("held", CancellationToken.None);
        foreach (var key in new[] { "a", "b", "c", "a", "d" }) (await cache.AcquireAsync(key, CancellationToken.None)).Dispose();

        // Idle in use order b, c, a (a used again after c), then d: b was the least recently used.
        Assert.Equal(["a", "c", "d", "held"], Cached(cache, "a", "b", "c", "d", "held"));
        await Opened("b").Closed.WaitAsync(Timeout);
        (await cache.AcquireAsync("e", CancellationToken.None)).Dispose();
        Assert.Equal(["a", "d", "e", "held"], Cached(cache, "a", "b", "c", "d", "e", "held"));
        await Opened("c").Closed.WaitAsync(Timeout);
        Assert.False(Opened("a").IsClosed || Opened("d").IsClosed || Opened("e").IsClosed);
        Assert.Equal(4, cache.Open); // a, d, e idle, and the held one

        for (var i = 0; i < 20; i++)
        {
            using (var lease = await cache.AcquireAsync($"n{i}", CancellationToken.None)) await WriteReadAsync(lease.Store.Store, i);
            Assert.True(cache.Open <= 3 + 1, $"{cache.Open} stores open after n{i} (bound 3 idle + 1 held)");
        }

        // Six named keys and twenty more were opened once each; the held store was never closed under its lease.
        Assert.Equal(6 + 20, cache.Opened);
        Assert.False(held.Store.IsClosed);
        await WriteReadAsync(held.Store.Store, 99);
    }

    [Fact]
    public async Task Past_the_open_bound_idle_stores_close_oldest_first_and_stores_in_use_stay_open_beyond_it()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync, maxOpen: 2);
        var a = await cache.AcquireAsync("a", CancellationToken.None);
        var b = await cache.AcquireAsync("b", CancellationToken.None);
        using var c = await cache.AcquireAsync("c", CancellationToken.None);
        // Three in use: nothing can be closed, the bound waits.
        Assert.Equal(3, cache.Open);
        Assert.False(a.Store.IsClosed || b.Store.IsClosed || c.Store.IsClosed);

        a.Dispose(); // idle, and one more than the bound: closed
        Assert.Equal(["b", "c"], Cached(cache, "a", "b", "c"));
        await Opened("a").Closed.WaitAsync(Timeout);
        b.Dispose(); // idle within the bound: kept
        Assert.Equal(["b", "c"], Cached(cache, "a", "b", "c"));

        // A new store makes room as it opens: the least recently used idle one (b) goes.
        using var d = await cache.AcquireAsync("d", CancellationToken.None);
        Assert.Equal(["c", "d"], Cached(cache, "a", "b", "c", "d"));
        await Opened("b").Closed.WaitAsync(Timeout);
        await WriteReadAsync(c.Store.Store, 1);
        await WriteReadAsync(d.Store.Store, 2);
    }

    [Fact]
    public async Task Concurrent_leases_of_one_key_share_one_store_opened_once_and_it_closes_after_the_last()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync, maxIdle: 0);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Eight callers join while the store is still opening, eight more race from other threads.
        var waiting = Enumerable.Range(0, 8).Select(_ => cache.AcquireAsync("shared", CancellationToken.None)).ToList();
        var racing = Enumerable.Range(0, 8).Select(_ => Task.Run(() => cache.AcquireAsync("shared", CancellationToken.None))).ToList();
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        _gate.SetResult();
        var leases = await Task.WhenAll(waiting.Concat(racing)).WaitAsync(Timeout);

        var store = Assert.Single(_opened);
        Assert.All(leases, l => Assert.Same(store, l.Store));
        Assert.Equal(1, cache.Opened);
        foreach (var lease in leases.Skip(1)) lease.Dispose();
        Assert.False(store.IsClosed, "the store closed while a lease still held it");
        await WriteReadAsync(store.Store, 7);
        leases[0].Dispose();
        await store.Closed.WaitAsync(Timeout);
        Assert.Equal(0, cache.Open);
    }

    [Fact]
    public async Task A_store_that_fails_to_open_is_not_kept_its_error_names_it_and_the_next_caller_opens_again()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync);
        _failNext = new IOException("the disk went away");
        var e = await Assert.ThrowsAsync<StorageException>(() => cache.AcquireAsync("broken", CancellationToken.None));
        Assert.Contains("'broken'", e.Message, StringComparison.Ordinal);
        Assert.Contains("the disk went away", e.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(e.InnerException);
        Assert.Equal(0, cache.Open);

        // An error that names the store already comes out as it is.
        var named = new StorageException("The store 'broken' is locked by another program.");
        _failNext = named;
        Assert.Same(named, await Assert.ThrowsAsync<StorageException>(() => cache.AcquireAsync("broken", CancellationToken.None)));
        Assert.Equal(0, cache.Open);

        using var lease = await cache.AcquireAsync("broken", CancellationToken.None);
        await WriteReadAsync(lease.Store.Store, 3);
        Assert.Equal(3, cache.Opened);
        Assert.Single(_opened);
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_leaves_the_opening_store_to_the_next_caller()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync, maxIdle: 1);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var first = cache.AcquireAsync("slow", cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(1, cache.Open); // still opening, for nobody

        _gate.SetResult();
        using var lease = await cache.AcquireAsync("slow", CancellationToken.None).WaitAsync(Timeout);
        Assert.Same(Assert.Single(_opened), lease.Store);
        Assert.Equal(1, cache.Opened);
        Assert.False(lease.Store.IsClosed);
    }

    [Fact]
    public async Task Try_acquire_open_holds_a_store_only_when_it_is_open_and_opens_nothing()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync, maxIdle: 0);
        Assert.Null(cache.TryAcquireOpen("a"));
        Assert.False(cache.Contains("a"));
        Assert.Empty(_opened);

        var lease = await cache.AcquireAsync("a", CancellationToken.None);
        Assert.True(cache.Contains("a"));
        using (var again = cache.TryAcquireOpen("a"))
        {
            Assert.NotNull(again);
            Assert.Same(lease.Store, again.Store);
            lease.Dispose(); // the second hold keeps it open although nothing idle may stay
            Assert.False(again.Store.IsClosed);
        }

        await Opened("a").Closed.WaitAsync(Timeout);
        Assert.Null(cache.TryAcquireOpen("a"));
    }

    [Fact]
    public async Task Disposing_closes_every_store_nobody_holds_pinned_ones_too_and_refuses_new_leases()
    {
        var cache = new StoreCache<string, OpenedStore>(OpenAsync, maxOpen: 1);
        (await cache.AcquireAsync("idle", CancellationToken.None)).Dispose();
        var pinned = await cache.PinAsync("pinned", CancellationToken.None);
        Assert.Same(pinned, await cache.PinAsync("pinned", CancellationToken.None));
        (await cache.AcquireAsync("other", CancellationToken.None)).Dispose();
        // Past the bound of one, but a pinned store is never closed before the cache is.
        await Opened("idle").Closed.WaitAsync(Timeout);
        Assert.False(pinned.IsClosed);
        await WriteReadAsync(pinned.Store, 4);
        Assert.Equal(3, cache.Opened);

        await cache.DisposeAsync();
        Assert.All(_opened, s => Assert.True(s.IsClosed, $"{s.Key} is still open after the cache was disposed"));
        Assert.Equal(0, cache.Open);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.AcquireAsync("idle", CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.PinAsync("pinned", CancellationToken.None));
        Assert.Null(cache.TryAcquireOpen("pinned"));
    }

    [Fact]
    public async Task Disposing_while_leased_leaves_the_leased_store_open_until_its_lease_ends()
    {
        var cache = new StoreCache<string, OpenedStore>(OpenAsync);
        var lease = await cache.AcquireAsync("leased", CancellationToken.None);
        (await cache.AcquireAsync("idle", CancellationToken.None)).Dispose();

        await cache.DisposeAsync().AsTask().WaitAsync(Timeout); // does not wait for the lease
        Assert.True(Opened("idle").IsClosed);
        Assert.False(lease.Store.IsClosed, "the store was closed under its lease");
        await WriteReadAsync(lease.Store.Store, 5);
        Assert.Equal(1, cache.Open);

        lease.Dispose();
        await lease.Store.Closed.WaitAsync(Timeout);
        Assert.Equal(0, cache.Open);
        lease.Dispose(); // a second dispose gives nothing back twice
        Assert.Equal(0, cache.Open);
    }

    [Fact]
    public async Task A_forgotten_store_stays_open_for_its_holders_closes_after_the_last_and_its_key_opens_a_new_one()
    {
        await using var cache = new StoreCache<string, OpenedStore>(OpenAsync);
        var first = await cache.AcquireAsync("k", CancellationToken.None);
        var second = await cache.AcquireAsync("k", CancellationToken.None);
        Assert.True(cache.Forget("k"));
        Assert.False(cache.Contains("k"));

        // Its holders keep it; the key opens a new store.
        using (var fresh = await cache.AcquireAsync("k", CancellationToken.None))
        {
            Assert.NotSame(first.Store, fresh.Store);
            await WriteReadAsync(fresh.Store.Store, 7);
        }

        await WriteReadAsync(first.Store.Store, 8);
        first.Dispose();
        Assert.False(first.Store.IsClosed, "closed while a holder remained");
        second.Dispose();
        await first.Store.Closed.WaitAsync(Timeout);

        // Nobody holding it: forgotten and closed at once. A key that is not open is not forgotten.
        (await cache.AcquireAsync("idle", CancellationToken.None)).Dispose();
        Assert.True(cache.Forget("idle"));
        await Opened("idle").Closed.WaitAsync(Timeout);
        Assert.False(cache.Forget("never"));
    }

    [Fact]
    public async Task Disposing_closes_a_forgotten_pinned_store()
    {
        var cache = new StoreCache<string, OpenedStore>(OpenAsync);
        var pinned = await cache.PinAsync("p", CancellationToken.None);
        Assert.True(cache.Forget("p"));
        Assert.False(pinned.IsClosed);
        await cache.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.True(pinned.IsClosed);
    }

    [Fact]
    public void Negative_bounds_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreCache<string, OpenedStore>(OpenAsync, maxOpen: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreCache<string, OpenedStore>(OpenAsync, maxIdle: -1));
    }

    /// <summary>Opens a real SQLite store in the key's folder (after the gate, if any; failing once with <see cref="_failNext"/>, if set).</summary>
    private async Task<OpenedStore> OpenAsync(string key)
    {
        if (_gate is { } gate) await gate.Task;
        if (Interlocked.Exchange(ref _failNext, null) is { } failure) throw failure;
        var opened = new OpenedStore(key, await StoreFactory.OpenAsync("sqlite", _temp.Combine(key)));
        lock (_opened) _opened.Add(opened);
        return opened;
    }

    /// <summary>Which of <paramref name="keys"/> the cache has open now (looking does not count as a use).</summary>
    private static string[] Cached(StoreCache<string, OpenedStore> cache, params string[] keys) => [.. keys.Where(cache.Contains)];

    private OpenedStore Opened(string key)
    {
        lock (_opened) return _opened.Single(s => s.Key == key);
    }

    private static async Task WriteReadAsync(IResultStore store, int n)
    {
        var id = Id($"store-cache-{n}");
        await store.StoreAsync(id, new byte[] { (byte)n, 1, 2 }, Meta(id));
        Assert.Equal([(byte)n, 1, 2], await store.RetrieveAsync(id));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>A real store and a signal of its closing (the cache closes what it keeps by disposing it).</summary>
    public sealed class OpenedStore(string key, IResultStore store) : IAsyncDisposable
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Key { get; } = key;

        public IResultStore Store { get; } = store;

        public Task Closed => _closed.Task;

        public bool IsClosed => _closed.Task.IsCompleted;

        public async ValueTask DisposeAsync()
        {
            await Store.DisposeAsync();
            _closed.TrySetResult();
        }
    }
}
