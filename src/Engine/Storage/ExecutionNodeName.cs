using VoxScheduler.Dag;

namespace VoxScheduler.Storage;

/// <summary>A named node of an execution (a goal label or a user node name) and its content id.</summary>
/// <param name="ExecutionId">The execution.</param>
/// <param name="Name">The label or user name.</param>
/// <param name="NodeId">The node's content id, under which its result is stored.</param>
/// <param name="IsGoal">True for goals (print/save/user goals).</param>
/// <param name="Ordinal">Position of the goal in source order (or of the name).</param>
public sealed record ExecutionNodeName(string ExecutionId, string Name, NodeId NodeId, bool IsGoal, int Ordinal);
