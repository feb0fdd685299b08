using Npgsql;
using VoxScheduler.Dag;
using VoxScheduler.Cluster.Postgres;
using VoxScheduler.Storage;

namespace VoxScheduler.Tests.Storage;

/// <summary>One PostgreSQL server for every test of the postgres backend.</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>;

/// <summary>
/// The store contract on the postgres backend, against a real server on loopback. Each test's
/// store is its own namespace (the temp path the suite gives it), so tests never see each other's
/// results. Marked Category=Postgres: build.ps1 runs it wherever PostgreSQL's binaries exist
/// (and CI installs them), and says why it is left out where they do not.
/// </summary>
[Collection("postgres")]
[Trait("Category", "Postgres")]
public sealed class PostgresStoreContractTests(PostgresServerFixture fixture) : StoreContractTests
{
    protected override string Backend => PostgresBackend.Name;

    protected override async Task<IResultStore> OpenStoreAsync(string path, StoreOptions options) =>
        await PostgresResultStore.OpenAsync(fixture.Server.ConnectionString, path, options);

    protected override async Task DamageAsync(NodeId id, bool truncate)
    {
        await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
        await connection.OpenAsync();
        var schema = "vox_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(StorePath)), 0, 12);
        long? blob;
        await using (var find = new NpgsqlCommand($"SELECT blob_id FROM {schema}.results WHERE node_id = $1", connection))
        {
            find.Parameters.AddWithValue(id.ToByteArray());
            var value = await find.ExecuteScalarAsync();
            Assert.NotNull(value);
            blob = value is DBNull ? null : (long)value;
        }

        // Inline bytes, or the last chunk of a chunked result: one byte flipped, or the last byte cut off.
        var edit = truncate ? "substring(data FROM 1 FOR length(data) - 1)" : "set_byte(data, length(data) / 2, (get_byte(data, length(data) / 2) + 1) % 256)";
        var sql = blob is null
            ? $"UPDATE {schema}.results SET data = {edit} WHERE node_id = $1"
            : $"UPDATE {schema}.chunks SET data = {edit} WHERE blob_id = $2 AND ordinal = (SELECT max(ordinal) FROM {schema}.chunks WHERE blob_id = $2)";
        await using var damage = new NpgsqlCommand(sql, connection);
        damage.Parameters.AddWithValue(id.ToByteArray());
        damage.Parameters.AddWithValue(blob ?? 0L);
        Assert.Equal(1, await damage.ExecuteNonQueryAsync());
    }
}
