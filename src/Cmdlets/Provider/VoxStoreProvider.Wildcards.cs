using System.Management.Automation;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

// Wildcards are expanded here (ProviderCapabilities.ExpandWildcards) rather than by the engine.
// The engine's globbing, asked for -Include or -Exclude on a path without wildcards, resolves the
// path itself as a child of its parent; a drive root is no one's child, so `Get-ChildItem lab:\
// -Exclude x` listed nothing (as it does for every provider's root). With the provider expanding,
// a path without wildcards is taken as it is and the filters apply to its children, at the root too.
public sealed partial class VoxStoreProvider
{
    /// <inheritdoc />
    protected override string[] ExpandPath(string path)
    {
        var drive = DriveOf(path);
        var root = drive.Root.TrimEnd('/', '\\');
        var segments = VoxStorePath.RelativeTo(path, root).Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        var matches = new List<string> { root };
        for (var i = 0; i < segments.Length && matches.Count > 0 && !Stopping; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            var next = new List<string>();
            if (!WildcardPattern.ContainsWildcardCharacters(segment))
            {
                foreach (var parent in matches)
                {
                    var child = MakePath(parent, segment);
                    if (last || Parse(child).IsContainer) next.Add(child);
                }
            }
            else
            {
                var pattern = WildcardPattern.Get(segment, WildcardOptions.IgnoreCase);
                foreach (var parent in matches)
                {
                    if (!Parse(parent).IsContainer) continue;
                    foreach (var (name, alias) in ChildNamesOf(parent))
                    {
                        if (!pattern.IsMatch(name) && (alias is null || !pattern.IsMatch(alias))) continue;
                        // -Include and -Exclude (and -Filter) apply to what the last segment matches, as the engine's globbing does.
                        if (last && !Wanted(name, alias)) continue;
                        next.Add(MakePath(parent, name));
                    }
                }
            }

            matches = next;
        }

        return [.. matches];
    }

    /// <summary>The names (and aliases: a result's operator, an execution's name) of a container's children, for wildcard matching.</summary>
    private List<(string Name, string? Alias)> ChildNamesOf(string path)
    {
        var children = new List<(string Name, string? Alias)>();
        var p = Parse(path);
        if (p.Kind == VoxStorePathKind.Root) children.Add((VoxStorePath.ExecutionsFolder, null));
        if (!DriveOf(path).StoreExists()) return children; // no store yet: nothing more to name, and nothing created
        var store = Store(path);
        switch (p.Kind)
        {
            case VoxStorePathKind.Root:
                Stream(store.ListAsync(ResultQuery.All), m => children.Add((m.NodeId.ToString(), m.Operator)));
                break;
            case VoxStorePathKind.Executions:
                Stream(store.ListExecutionsAsync(), r => children.Add((VoxStorePath.Escape(r.ExecutionId), r.Name)));
                break;
            case VoxStorePathKind.Execution:
                Stream(store.ListExecutionNodesAsync(p.ExecutionId!), n => children.Add((VoxStorePath.Escape(n.Name), null)));
                break;
        }

        return children;
    }
}
