using System.Management.Automation;
using VoxScheduler.Cmdlets.Commands;
using VoxScheduler.Dag;
using VoxScheduler.Storage;

namespace VoxScheduler.Cmdlets.Provider;

// Names a path may use besides whole ids: a unique start of a node id (git-style; the tables show
// 16 characters) and an execution's name or id prefix. Resolved against the path's own store.
public sealed partial class VoxStoreProvider
{
    private const int AmbiguityShown = 5;

    private readonly Dictionary<string, VoxStorePath> _resolved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeId>> _ambiguous = new(StringComparer.Ordinal);

    // The engine asks about one path many times per command (exists, container, item): resolve once.
    private VoxStorePath Parse(string path)
    {
        if (_resolved.TryGetValue(path, out var known)) return known;
        var (drive, p) = Resolve(path);
        // Names resolve against the store; where there is none yet they name nothing (and create nothing).
        if (!drive.StoreExists()) return p;
        var canonical = p.Kind switch
        {
            VoxStorePathKind.ResultPrefix => ResolvePrefix(path, drive, p),
            VoxStorePathKind.Execution or VoxStorePathKind.ExecutionNode => ExecutionIdOf(drive, p.ExecutionId!) is { } id ? p with { ExecutionId = id } : p,
            _ => p,
        };
        _resolved[path] = canonical;
        return canonical;
    }

    private VoxStorePath ResolvePrefix(string path, VoxDriveInfo drive, VoxStorePath p)
    {
        var prefix = p.Name!;
        var matches = Await(Task.Run(() => MatchPrefixAsync(StoreOf(drive), prefix, CancellationToken.None)));
        if (matches.Count == 1) return p.WithResult(matches[0]);
        if (matches.Count == 0) return p; // unresolved: not found
        _ambiguous[path] = matches;
        return p with { Kind = VoxStorePathKind.Ambiguous };
    }

    // Every result is looked at (a prefix is unique only if no other id starts with it); the
    // listing streams, so the store is never held in memory, and stops at a few matches.
    private static async Task<List<NodeId>> MatchPrefixAsync(IResultStore store, string prefix, CancellationToken cancellationToken)
    {
        var matches = new List<NodeId>();
        await foreach (var m in store.ListAsync(ResultQuery.All, cancellationToken).ConfigureAwait(false))
        {
            if (!m.NodeId.ToString().StartsWith(prefix, StringComparison.Ordinal)) continue;
            matches.Add(m.NodeId);
            if (matches.Count > AmbiguityShown) break;
        }

        return matches;
    }

    // An execution segment: its id, else its name (the newest execution of that name), else a
    // unique start of its id; null when none (the path then names nothing).
    private string? ExecutionIdOf(VoxDriveInfo drive, string segment)
    {
        var store = StoreOf(drive);
        return Await(Task.Run(async () =>
        {
            if (await store.GetExecutionAsync(segment).ConfigureAwait(false) is { } byId) return byId.ExecutionId;
            string? prefixMatch = null;
            var prefixMatches = 0;
            await foreach (var r in store.ListExecutionsAsync().ConfigureAwait(false))
            {
                if (string.Equals(r.Name, segment, StringComparison.OrdinalIgnoreCase)) return r.ExecutionId;
                if (segment.Length >= VoxStorePath.MinimumPrefixLength && r.ExecutionId.StartsWith(segment, StringComparison.OrdinalIgnoreCase))
                {
                    prefixMatch = r.ExecutionId;
                    prefixMatches++;
                }
            }

            return prefixMatches == 1 ? prefixMatch : null;
        }));
    }

    private void Ambiguous(string path, VoxStorePath p)
    {
        var matches = _ambiguous.GetValueOrDefault(path) ?? [];
        var shown = string.Join(", ", matches.Take(AmbiguityShown).Select(m => m.ToShortString()));
        var more = matches.Count > AmbiguityShown ? ", …" : string.Empty;
        WriteError(VoxErrors.Create(VoxErrors.PathAmbiguous, ErrorCategory.InvalidArgument, path,
            $"'{p.Name}' is the start of several results ({shown}{more}); give more characters of the id."));
    }
}
