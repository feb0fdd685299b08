using System.Management.Automation;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

// Copy-Item and Move-Item between VoxStore drives: a result keeps its id (content addressing),
// so the destination is a store (its root) or the same id in another store.
public sealed partial class VoxStoreProvider
{
    private const int CopyChunkSize = 1024 * 1024;

    /// <inheritdoc />
    protected override void CopyItem(string path, string copyPath, bool recurse)
    {
        if (CopyTarget(path, copyPath) is not { } target) return;
        if (!ShouldProcess(target.TargetPath, $"Copy result {target.Id} from {target.Source.Location}")) return;
        if (CopyResult(target)) WriteCopied(target);
    }

    /// <inheritdoc />
    protected override void MoveItem(string path, string destination)
    {
        if (CopyTarget(path, destination) is not { } target) return;
        if (!ShouldProcess(target.TargetPath, $"Move result {target.Id} from {target.Source.Location}")) return;
        if (!CopyResult(target)) return;
        if (!target.SameStore) Run(path, s => s.DeleteAsync(target.Id).AsTask());
        WriteCopied(target);
    }

    private void WriteCopied(CopyPlan target)
    {
        var metadata = Await(Task.Run(() => target.DestinationStore.GetMetadataAsync(target.Id).AsTask()));
        if (metadata is not null) WriteItemObject(new Output.VoxStoreItem(metadata), target.TargetPath, false);
    }

    private CopyPlan? CopyTarget(string path, string destination)
    {
        var id = ResultId(path);
        if (id is not { } nodeId)
        {
            WriteError(VoxErrors.Create(VoxErrors.NotSupported, ErrorCategory.InvalidArgument, path,
                "Only results can be copied or moved (executions are history, kept in their own store)."));
            return null;
        }

        var destinationDrive = TryDriveOf(destination);
        if (destinationDrive is null)
        {
            WriteError(VoxErrors.Create(VoxErrors.StoreUnavailable, ErrorCategory.ObjectNotFound, destination,
                $"'{destination}' is in no VoxStore drive's store; open it with New-PSDrive -PSProvider VoxStore first."));
            return null;
        }

        var d = VoxStorePath.Parse(destination, destinationDrive.Root);
        var sameId = d.Kind == VoxStorePathKind.Result && d.NodeId == nodeId;
        if (d.Kind != VoxStorePathKind.Root && !sameId)
        {
            WriteError(VoxErrors.Create(VoxErrors.NotSupported, ErrorCategory.InvalidArgument, destination,
                "A result keeps its id: copy it to a store's root (e.g. other:\\), not to another name."));
            return null;
        }

        var source = DriveOf(path);
        var targetPath = d.Kind == VoxStorePathKind.Root ? MakePath(destination, nodeId.ToString()) : destination;
        return new CopyPlan(nodeId, source, StoreOf(source), CreatingStoreOf(destinationDrive), targetPath,
            string.Equals(System.IO.Path.GetFullPath(source.StorePath), System.IO.Path.GetFullPath(destinationDrive.StorePath), StringComparison.Ordinal)
            && source.Backend == destinationDrive.Backend);
    }

    // Streams the encoded value (verified as it is read) into the other store's writer, so a
    // large result is never held whole; the writer commits only a complete copy.
    private bool CopyResult(CopyPlan plan)
    {
        if (plan.SameStore) return true;
        try
        {
            return Await(Task.Run(async () =>
            {
                var metadata = await plan.SourceStore.GetMetadataAsync(plan.Id).ConfigureAwait(false);
                if (metadata is null) return false;
                if (await plan.DestinationStore.ExistsAsync(plan.Id).ConfigureAwait(false)) return true;
                var copy = metadata with { ContentHash = null, Checksum = null, Compression = null, StoredSize = 0 };
                await using var writer = await plan.DestinationStore.OpenWriteAsync(plan.Id, copy).ConfigureAwait(false);
                await foreach (var chunk in plan.SourceStore.StreamAsync(plan.Id, CopyChunkSize).ConfigureAwait(false))
                {
                    await writer.WriteAsync(chunk).ConfigureAwait(false);
                }

                await writer.CommitAsync().ConfigureAwait(false);
                return true;
            }));
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException)
        {
            WriteError(VoxErrors.FromException(e, plan.Id.ToString(), VoxErrors.StoreUnavailable));
            return false;
        }
    }

    private sealed record CopyPlan(NodeId Id, VoxDriveInfo Source, IResultStore SourceStore, IResultStore DestinationStore, string TargetPath, bool SameStore);
}
