namespace VoxScheduler.Dag;

/// <summary>A value the execution must produce and report.</summary>
/// <param name="Name">The label (print), the path as written (save) or the node name (user DAGs).</param>
/// <param name="Kind">How the value is reported.</param>
/// <param name="Node">Index of the goal's node in the DAG.</param>
/// <param name="Path">For <see cref="GoalKind.Save"/>: the target path, resolved by the front end.</param>
public sealed record DagGoal(string Name, GoalKind Kind, int Node, string? Path = null);
