using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Provider;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Cmdlets.Output;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

// Get-ChildItem: -Filter, -Include and -Exclude (wildcards on the name, or a result's operator),
// -Recurse and -Depth, enumeration that stops on Ctrl+C, and one batched existence check per page
// of an execution's named nodes.
public sealed partial class VoxStoreProvider
{
    private const int ExistsBatch = 256;
    private const int ListingQueue = 256;
    private static readonly TimeSpan StopPoll = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc />
    protected override void GetChildItems(string path, bool recurse) => ListChildren(path, recurse ? uint.MaxValue : 0, namesOnly: false);

    /// <inheritdoc />
    protected override void GetChildItems(string path, bool recurse, uint depth) => ListChildren(path, recurse ? depth : 0, namesOnly: false);

    /// <inheritdoc />
    protected override void GetChildNames(string path, ReturnContainers returnContainers) => ListChildren(path, 0, namesOnly: true);

    // depth: how many levels below the children to list too (0: the children only).
    private void ListChildren(string path, uint depth, bool namesOnly)
    {
        var p = Parse(path);
        if (!DriveOf(path).StoreExists())
        {
            // No store yet (the default drive before its first result): an empty store's listing, and nothing created.
            if (p.Kind == VoxStorePathKind.Root)
                Emit(namesOnly, VoxStorePath.ExecutionsFolder, null, new VoxStoreFolder(VoxStorePath.ExecutionsFolder, "Executions recorded in the store"), MakePath(path, VoxStorePath.ExecutionsFolder), true);
            return;
        }

        var store = Store(path);
        var deeper = depth == 0 ? 0 : depth == uint.MaxValue ? uint.MaxValue : depth - 1;
        switch (p.Kind)
        {
            case VoxStorePathKind.Root:
                var executionsPath = MakePath(path, VoxStorePath.ExecutionsFolder);
                Emit(namesOnly, VoxStorePath.ExecutionsFolder, null, new VoxStoreFolder(VoxStorePath.ExecutionsFolder, "Executions recorded in the store"), executionsPath, true);
                if (depth > 0 && !Stopping) ListChildren(executionsPath, deeper, namesOnly);

                // Results are streamed one by one: a store with millions of results is never held whole.
                Stream(store.ListAsync(ResultQuery.All), m =>
                {
                    var name = m.NodeId.ToString();
                    Emit(namesOnly, name, m.Operator, new VoxStoreItem(m), MakePath(path, name), false);
                });
                break;
            case VoxStorePathKind.Executions:
                var location = DriveOf(path).Location;
                Stream(store.ListExecutionsAsync(), r =>
                {
                    var name = VoxStorePath.Escape(r.ExecutionId);
                    var childPath = MakePath(path, name);
                    Emit(namesOnly, name, r.Name, new VoxExecution(r, location), childPath, true);
                    if (depth > 0 && !Stopping) ListChildren(childPath, deeper, namesOnly);
                });
                break;
            case VoxStorePathKind.Execution:
                ListExecutionNodes(path, p, store, namesOnly);
                break;
            case VoxStorePathKind.Ambiguous:
                Ambiguous(path, p);
                break;
            case VoxStorePathKind.Invalid or VoxStorePathKind.ResultPrefix:
                NotFound(path);
                break;
        }
    }

    // Named nodes come in pages; one ExistsMany per page instead of one query per node.
    private void ListExecutionNodes(string path, VoxStorePath p, IResultStore store, bool namesOnly)
    {
        var page = new List<ExecutionNodeName>(ExistsBatch);
        void Flush()
        {
            if (page.Count == 0) return;
            var exists = namesOnly ? null : Await(Task.Run(() => store.ExistsManyAsync(page.Select(n => n.NodeId).ToList()).AsTask()));
            for (var i = 0; i < page.Count && !Stopping; i++)
            {
                var n = page[i];
                var name = VoxStorePath.Escape(n.Name);
                Emit(namesOnly, name, null, namesOnly ? null : new VoxExecutionNode(n, exists![i]), MakePath(path, name), false);
            }

            page.Clear();
        }

        Stream(store.ListExecutionNodesAsync(p.ExecutionId!), n =>
        {
            page.Add(n);
            if (page.Count == ExistsBatch) Flush();
        });
        Flush();
    }

    private void Emit(bool namesOnly, string name, string? alias, object? item, string path, bool container)
    {
        if (!Wanted(name, alias)) return;
        if (namesOnly) WriteItemObject(name, path, container);
        else WriteItemObject(item!, path, container);
    }

    // -Filter and -Include match the name or the alias (a result's operator, an execution's
    // name); -Exclude drops what matches either. With a wildcard path (lab:\*) or -Recurse,
    // PowerShell filters our output again by -Include/-Exclude on the name alone, so there
    // only -Filter reaches the operator.
    private bool Wanted(string name, string? alias)
    {
        bool Match(string pattern) =>
            WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase).IsMatch(name)
            || (alias is not null && WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase).IsMatch(alias));

        if (!string.IsNullOrEmpty(Filter) && !Match(Filter)) return false;
        if (Include is { Count: > 0 } include && !include.Any(Match)) return false;
        return Exclude is not { Count: > 0 } exclude || !exclude.Any(Match);
    }

    // One background reader fills a bounded queue; the pipeline thread takes from it and checks
    // Stopping between takes, so Ctrl+C ends a listing of any size promptly (no Task per item).
    private void Stream<T>(IAsyncEnumerable<T> source, Action<T> emit)
    {
        using var cts = new CancellationTokenSource();
        using var queue = new BlockingCollection<T>(ListingQueue);
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(cts.Token).ConfigureAwait(false))
                {
                    queue.Add(item, cts.Token);
                }
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None);

        try
        {
            while (!Stopping)
            {
                if (queue.TryTake(out var item, StopPoll))
                {
                    emit(item);
                }
                else if (queue.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            cts.Cancel();
            try
            {
                reader.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // Stopped on purpose.
            }
            catch (Exception e) when (e is DynamicSchedulerException or IOException or UnauthorizedAccessException)
            {
                // A store that fails while listing is the store's error (VoxStoreUnavailable/VoxStoreCorrupt), not the cmdlet's.
                ThrowTerminatingError(VoxErrors.FromException(e, null, VoxErrors.StoreUnavailable));
            }
        }
    }
}
