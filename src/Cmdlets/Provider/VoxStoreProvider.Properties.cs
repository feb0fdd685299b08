using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Provider;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Cmdlets.Hosting;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

// Get/Set/Clear-ItemProperty on results: store metadata plus user metadata (IPropertyCmdletProvider).
public sealed partial class VoxStoreProvider
{
    /// <inheritdoc />
    public void GetProperty(string path, Collection<string>? providerSpecificPickList)
    {
        var id = ResultId(path);
        var metadata = id is { } nodeId ? Run(path, s => s.GetMetadataAsync(nodeId).AsTask()) : null;
        if (metadata is null)
        {
            NotFound(path);
            return;
        }

        var all = new PSObject();
        void Add(string name, object? value)
        {
            if (providerSpecificPickList is { Count: > 0 } && !providerSpecificPickList.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(name))) return;
            all.Properties.Add(new PSNoteProperty(name, value));
        }

        Add(nameof(StorageMetadata.NodeId), metadata.NodeId.ToString());
        Add(nameof(StorageMetadata.DataType), metadata.DataType);
        Add(nameof(StorageMetadata.Size), metadata.Size);
        Add(nameof(StorageMetadata.StoredSize), metadata.StoredSize);
        Add(nameof(StorageMetadata.Compression), metadata.Compression);
        Add(nameof(StorageMetadata.ContentHash), metadata.ContentHash);
        Add(nameof(StorageMetadata.Checksum), metadata.Checksum);
        Add(nameof(StorageMetadata.CreatedAt), metadata.CreatedAt);
        Add(nameof(StorageMetadata.LastAccessedAt), metadata.LastAccessedAt);
        Add(nameof(StorageMetadata.ExecutionId), metadata.ExecutionId);
        Add(nameof(StorageMetadata.DagId), metadata.DagId);
        Add(nameof(StorageMetadata.Operator), metadata.Operator);
        if (metadata.Metadata is not null)
        {
            foreach (var (key, value) in metadata.Metadata)
            {
                if (all.Properties[key] is null) Add(key, value);
            }
        }

        WritePropertyObject(all, path);
    }

    /// <inheritdoc />
    public object? GetPropertyDynamicParameters(string path, Collection<string>? providerSpecificPickList) => null;

    /// <inheritdoc />
    public void SetProperty(string path, PSObject propertyValue)
    {
        var id = ResultId(path);
        if (id is not { } nodeId)
        {
            NotFound(path);
            return;
        }

        var updates = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in propertyValue.Properties)
        {
            if (IsBuiltInProperty(property.Name))
            {
                WriteError(VoxErrors.Create(VoxErrors.NotSupported, ErrorCategory.InvalidOperation, property.Name,
                    $"'{property.Name}' is maintained by the store; only user metadata can be set."));
                continue;
            }

            updates[property.Name] = Dags.PSValue.ToRuntime(property.Value);
        }

        if (updates.Count == 0 || !ShouldProcess(path, $"Set metadata {string.Join(", ", updates.Keys)}")) return;
        if (!Run(path, s => s.UpdateMetadataAsync(nodeId, updates).AsTask()))
        {
            NotFound(path);
            return;
        }

        var written = new PSObject();
        foreach (var (k, v) in updates) written.Properties.Add(new PSNoteProperty(k, v));
        WritePropertyObject(written, path);
    }

    /// <inheritdoc />
    public object? SetPropertyDynamicParameters(string path, PSObject propertyValue) => null;

    /// <inheritdoc />
    public void ClearProperty(string path, Collection<string> propertyToClear)
    {
        var id = ResultId(path);
        if (id is not { } nodeId)
        {
            NotFound(path);
            return;
        }

        var updates = propertyToClear.Where(n => !IsBuiltInProperty(n)).ToDictionary(n => n, _ => (object?)null, StringComparer.Ordinal);
        if (updates.Count == 0 || !ShouldProcess(path, $"Clear metadata {string.Join(", ", updates.Keys)}")) return;
        Run(path, s => s.UpdateMetadataAsync(nodeId, updates).AsTask());
    }

    /// <inheritdoc />
    public object? ClearPropertyDynamicParameters(string path, Collection<string> propertyToClear) => null;

    private static bool IsBuiltInProperty(string name) => typeof(StorageMetadata).GetProperty(name) is not null && name != nameof(StorageMetadata.Metadata);
}
