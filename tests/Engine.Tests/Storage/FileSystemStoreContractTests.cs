using VoxScheduler.Dag;

namespace VoxScheduler.Tests.Storage;

/// <summary>The store contract on the filesystem backend.</summary>
public sealed class FileSystemStoreContractTests : StoreContractTests
{
    protected override string Backend => "filesystem";

    protected override Task DamageAsync(NodeId id, bool truncate)
    {
        var hex = id.ToString();
        var shard = Path.Combine(StorePath, "results", hex[..2], hex[2..4]);
        FileDamage.Damage(Directory.GetFiles(shard, hex + ".*.data").Single(), truncate);
        return Task.CompletedTask;
    }
}
