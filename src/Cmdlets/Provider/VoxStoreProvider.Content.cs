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

// Get-Content on results (IContentCmdletProvider); results are never written by hand.
public sealed partial class VoxStoreProvider
{
    /// <inheritdoc />
    public IContentReader GetContentReader(string path)
    {
        var id = ResultId(path) ?? throw new ItemNotFoundException($"Cannot find a result at '{path}'.");
        return new VoxContentReader(Store(path), id, DynamicParameters as VoxContentParameters);
    }

    /// <inheritdoc />
    public object? GetContentReaderDynamicParameters(string path) => new VoxContentParameters();

    /// <inheritdoc />
    public IContentWriter GetContentWriter(string path) =>
        throw new PSNotSupportedException("Results are written by executions, never by hand: content addressing would break.");

    /// <inheritdoc />
    public object? GetContentWriterDynamicParameters(string path) => null;

    /// <inheritdoc />
    public void ClearContent(string path) => throw new PSNotSupportedException("Use Remove-Item to delete a result.");

    /// <inheritdoc />
    public object? ClearContentDynamicParameters(string path) => null;
}
