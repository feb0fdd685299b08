namespace VoxScheduler.Dag;

/// <summary>
/// A goal as users write it: the name its result is reported under, the name of the node it
/// reports, and its kind (a plain node result by default; print and save goals come from programs).
/// </summary>
/// <param name="Name">The name the goal's result is reported under.</param>
/// <param name="Node">The name of the node whose value the goal reports.</param>
/// <param name="Kind">What the goal does with the value.</param>
/// <param name="Path">The file a save goal writes, if any.</param>
public sealed record GoalDefinition(string Name, string Node, GoalKind Kind = GoalKind.Node, string? Path = null)
{
    /// <summary>A plain goal reporting the named node under its own name.</summary>
    public static GoalDefinition ForNode(string node) => new(node, node);
}
