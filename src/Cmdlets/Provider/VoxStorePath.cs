using VoxScheduler.Dag;

namespace VoxScheduler.Cmdlets.Provider;

/// <summary>
/// A path inside a VoxStore drive, parsed: the root (results), <c>executions</c>,
/// <c>executions/&lt;id&gt;</c>, <c>executions/&lt;id&gt;/&lt;name&gt;</c>, or <c>&lt;node id&gt;</c>.
/// Both / and \ separate segments; names holding separators or % are %-escaped.
/// </summary>
internal readonly record struct VoxStorePath(VoxStorePathKind Kind, string? ExecutionId, string? Name, NodeId NodeId)
{
    public const string ExecutionsFolder = "executions";

    public bool IsContainer => Kind is VoxStorePathKind.Root or VoxStorePathKind.Executions or VoxStorePathKind.Execution;

    /// <summary>Parses a provider path below <paramref name="root"/> (the drive's store folder, which every provider path starts with).</summary>
    public static VoxStorePath Parse(string? path, string root)
    {
        var segments = RelativeTo(path ?? string.Empty, root).Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        return segments.Length switch
        {
            0 => new(VoxStorePathKind.Root, null, null, default),
            1 when segments[0].Equals(ExecutionsFolder, StringComparison.OrdinalIgnoreCase) => new(VoxStorePathKind.Executions, null, null, default),
            1 when NodeId.TryParse(segments[0], out var id) => new(VoxStorePathKind.Result, null, null, id),
            1 when IsIdPrefix(segments[0]) => new(VoxStorePathKind.ResultPrefix, null, segments[0].ToLowerInvariant(), default),
            2 when segments[0].Equals(ExecutionsFolder, StringComparison.OrdinalIgnoreCase) => new(VoxStorePathKind.Execution, Unescape(segments[1]), null, default),
            3 when segments[0].Equals(ExecutionsFolder, StringComparison.OrdinalIgnoreCase) => new(VoxStorePathKind.ExecutionNode, Unescape(segments[1]), Unescape(segments[2]), default),
            _ => new(VoxStorePathKind.Invalid, null, null, default),
        };
    }

    /// <summary>The shortest id prefix a path may use (git-style: what the tables show, or less).</summary>
    public const int MinimumPrefixLength = 4;

    /// <summary>True for text that can be the start of a node id (hex digits, shorter than a whole id).</summary>
    public static bool IsIdPrefix(string text) =>
        text.Length >= MinimumPrefixLength && text.Length < 64 && text.All(char.IsAsciiHexDigit);

    /// <summary>The same path with the last segment replaced (a resolved prefix or name).</summary>
    public VoxStorePath WithResult(NodeId id) => this with { Kind = VoxStorePathKind.Result, NodeId = id, Name = null };

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (either separator, any case).</summary>
    public static bool IsUnder(string path, string root)
    {
        var p = Normalize(path);
        var r = Normalize(root);
        return r.Length > 0 && p.StartsWith(r, StringComparison.OrdinalIgnoreCase) && (p.Length == r.Length || p[r.Length] == '/');
    }

    /// <summary>The part of <paramref name="path"/> below <paramref name="root"/>; the path itself when it is not below it.</summary>
    public static string RelativeTo(string path, string root)
    {
        if (!IsUnder(path, root)) return path;
        return Normalize(path)[Normalize(root).Length..];
    }

    private static string Normalize(string path) => path.Replace('\\', '/').TrimEnd('/');

    /// <summary>Escapes a name so it is one path segment.</summary>
    public static string Escape(string name) =>
        name.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal).Replace("\\", "%5C", StringComparison.Ordinal);

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    public static string Unescape(string segment) =>
        segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase).Replace("%5C", "\\", StringComparison.OrdinalIgnoreCase).Replace("%25", "%", StringComparison.Ordinal);
}

/// <summary>What a <see cref="VoxStorePath"/> points at.</summary>
internal enum VoxStorePathKind
{
    Invalid,
    Root,
    Result,

    /// <summary>The start of a node id, to be resolved against the store (unique, or an error).</summary>
    ResultPrefix,

    /// <summary>A prefix that matches several results (Name lists them).</summary>
    Ambiguous,
    Executions,
    Execution,
    ExecutionNode,
}
