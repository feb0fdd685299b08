using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;
using static VoxScheduler.Tests.Storage.StoreTestData;

namespace VoxScheduler.Tests.Storage;

/// <summary>
/// A silo worker's store handles (issue 16): the <see cref="StoreCache{TKey,TStore}"/> of namespaces its
/// NodeWorker keeps, bounded by idle count however many namespaces are used, never closed under a user, on real PostgreSQL stores.
/// </summary>
[Collection("postgres")]
[Trait("Category", "Postgres")]
public sealed class SiloStoresTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task Many_namespaces_one_after_another_leave_at_most_the_bound_open_and_a_store_in_use_is_never_closed()
    {
        const int maxIdle = 3, namespaces = 20;
        var opened = new List<PostgresResultStore>();
        await using var stores = new StoreCache<string, IResultStore>(async ns =>
        {
            var store = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns, new StoreOptions());
            lock (opened) opened.Add(store);
            return store;
        }, maxIdle: maxIdle);
        var prefix = $"tests/silo-stores/{Guid.NewGuid():N}";

        // Held for the whole test, as a long call holds its store.
        using var held = await stores.AcquireAsync(prefix + "/held", CancellationToken.None);
        for (var i = 0; i < namespaces; i++)
        {
            using (var lease = await stores.AcquireAsync($"{prefix}/{i}", CancellationToken.None))
            {
                var id = Id($"silo-stores-{i}");
                await lease.Store.StoreAsync(id, new byte[] { (byte)i, 1, 2, 3 }, Meta(id));
                Assert.Equal([(byte)i, 1, 2, 3], await lease.Store.RetrieveAsync(id));
            }

            Assert.True(stores.Open <= maxIdle + 1, $"{stores.Open} stores open after namespace {i} (bound {maxIdle} idle + 1 held)");
        }

        Assert.Equal(namespaces + 1, stores.Opened);
        // Every store past the bound is closed (asynchronously, just after its last user): those of the oldest namespaces.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await ClosedAsync(opened) < namespaces - maxIdle)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{await ClosedAsync(opened)} of {namespaces} stores closed, expected {namespaces - maxIdle}");
            await Task.Delay(50);
        }

        Assert.Equal(namespaces - maxIdle, await ClosedAsync(opened));
        // The store in use all along was never closed under it: it still writes and reads.
        var mine = Id("silo-stores-held");
        await held.Store.StoreAsync(mine, new byte[] { 9, 9 }, Meta(mine));
        Assert.Equal([9, 9], await held.Store.RetrieveAsync(mine));

        // The most recent idle namespace is served from the open store; a closed one opens again, its results still there.
        using (var recent = await stores.AcquireAsync($"{prefix}/{namespaces - 1}", CancellationToken.None))
        {
            Assert.Equal(namespaces + 1, stores.Opened);
        }

        using (var again = await stores.AcquireAsync($"{prefix}/0", CancellationToken.None))
        {
            Assert.Equal(namespaces + 2, stores.Opened);
            Assert.Equal([0, 1, 2, 3], await again.Store.RetrieveAsync(Id("silo-stores-0")));
        }

        Assert.True(stores.Open <= maxIdle + 1, $"{stores.Open} stores open");
    }

    [Fact]
    public async Task A_namespace_that_fails_to_open_is_tried_again_and_disposing_closes_the_idle_stores()
    {
        var attempts = 0;
        var opened = new List<PostgresResultStore>();
        var stores = new StoreCache<string, IResultStore>(async ns =>
        {
            if (Interlocked.Increment(ref attempts) == 1) throw new StorageException("the database is not there yet");
            var store = await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, ns, new StoreOptions());
            lock (opened) opened.Add(store);
            return store;
        }, maxIdle: 4);
        var ns = $"tests/silo-stores/{Guid.NewGuid():N}";
        await Assert.ThrowsAsync<StorageException>(() => stores.AcquireAsync(ns, CancellationToken.None));
        Assert.Equal(0, stores.Open);
        using (var lease = await stores.AcquireAsync(ns, CancellationToken.None)) Assert.Null(await lease.Store.RetrieveAsync(Id("absent")));
        Assert.Equal(1, stores.Open);

        await stores.DisposeAsync();
        Assert.Equal(0, stores.Open);
        Assert.Equal(1, await ClosedAsync(opened));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stores.AcquireAsync(ns, CancellationToken.None));
    }

    /// <summary>How many of <paramref name="stores"/> are closed (a closed store refuses reads).</summary>
    private static async Task<int> ClosedAsync(List<PostgresResultStore> stores)
    {
        PostgresResultStore[] all;
        lock (stores) all = [.. stores];
        var closed = 0;
        foreach (var store in all)
        {
            try
            {
                await store.RetrieveAsync(Id("probe"));
            }
            catch (ObjectDisposedException)
            {
                closed++;
            }
        }

        return closed;
    }
}
