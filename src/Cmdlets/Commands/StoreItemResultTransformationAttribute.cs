using System.Collections;
using System.Management.Automation;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Cmdlets.Provider;
using VoxScheduler.Dag;
using VoxScheduler.Execution;

namespace VoxScheduler.Cmdlets.Commands;

/// <summary>
/// Lets Save-VoxResult take stored results as items of a VoxStore drive (Get-Item, Get-ChildItem:
/// a result, or a named node under <c>executions\&lt;run&gt;</c>), read from the store the
/// item's PSPath names; Copy-Item of a result to a file goes this way too, so a copied file and a
/// saved one are written by the same code. Results (and anything else) pass through unchanged.
/// </summary>
/// <remarks>
/// Returns an array, so the binder's first (uncoerced) attempt binds it and the store is read
/// once per item.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class StoreItemResultTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is VoxResult or string or null) return inputData!;
        if (value is IList items)
        {
            if (!items.Cast<object?>().Any(IsStoreItem)) return inputData;
            return items.Cast<object?>().Select(i => IsStoreItem(i) ? Read(engineIntrinsics.SessionState, i!) : i).ToArray();
        }

        return IsStoreItem(inputData) ? new[] { Read(engineIntrinsics.SessionState, inputData) } : inputData;
    }

    private static bool IsStoreItem(object? item) =>
        (item is PSObject ps ? ps.BaseObject : item) is VoxStoreItem or VoxExecutionNode or VoxStoreFolder or VoxExecution;

    private static VoxResult Read(SessionState session, object item)
    {
        var wrapped = PSObject.AsPSObject(item);
        var (name, id) = wrapped.BaseObject switch
        {
            VoxStoreItem result => (result.NodeId, result.NodeId),
            VoxExecutionNode node => (node.Name, node.NodeId),
            _ => throw new ArgumentTransformationMetadataException(
                $"'{wrapped.Properties["PSPath"]?.Value ?? wrapped}' is a folder of a store, not a result: give the results in it (Get-ChildItem <folder>)."),
        };

        var drive = DriveOf(session, wrapped.Properties["PSPath"]?.Value as string, id);
        if (!drive.StoreExists())
        {
            throw new ArgumentTransformationMetadataException($"There is no {drive.Backend} store at '{drive.StorePath}' to read result {id} from.");
        }

        var nodeId = NodeId.Parse(id);
        try
        {
            var stored = Task.Run(() => StoredResults.ReadAsync(drive.GetStore(), nodeId, CancellationToken.None)).GetAwaiter().GetResult();
            if (stored is not { } s)
            {
                return new VoxResult
                {
                    Goal = name, NodeId = id, Status = NodeStatus.Failed, Kind = GoalKind.Node,
                    Error = $"No result is stored for node {nodeId.ToShortString()} in {drive.Location}.",
                };
            }

            return new VoxResult
            {
                Goal = name,
                NodeId = id,
                Value = s.Value,
                LargeValue = s.Large,
                DataType = s.Metadata.DataType,
                Size = s.Metadata.Size,
                Status = NodeStatus.Completed,
                ExecutionId = s.Metadata.ExecutionId ?? string.Empty,
                Kind = GoalKind.Node,
            };
        }
        catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentTransformationMetadataException($"Cannot read result {nodeId.ToShortString()} from {drive.Location}: {e.Message}", e);
        }
    }

    // The drive whose store holds the item: its PSPath names the store's folder (as a FileSystem
    // path names its file), whichever drive it was listed through.
    private static VoxDriveInfo DriveOf(SessionState session, string? psPath, string id)
    {
        if (string.IsNullOrEmpty(psPath))
        {
            throw new ArgumentTransformationMetadataException(
                $"Result {id} has no PSPath, so its store is unknown: pass the item as Get-Item or Get-ChildItem of a VoxStore drive writes it, or use Get-VoxResult.");
        }

        string providerPath;
        try
        {
            providerPath = session.Path.GetUnresolvedProviderPathFromPSPath(psPath, out var provider, out _);
            if (provider.Name != VoxStoreProvider.ProviderName) throw new ArgumentException($"'{psPath}' is not a VoxStore path.");
        }
        catch (Exception e) when (e is ArgumentException or SessionStateException or NotSupportedException)
        {
            throw new ArgumentTransformationMetadataException($"Cannot tell the store of '{psPath}': {e.Message}", e);
        }

        return VoxDriveInfo.ForPath(session, providerPath) ?? throw new ArgumentTransformationMetadataException(
            $"'{psPath}' is in no VoxStore drive's store. Open the store first: New-PSDrive -Name <name> -PSProvider VoxStore -Root <store folder>.");
    }
}
