using VoxScheduler.Dag;

namespace VoxScheduler.Execution;

/// <summary>The ids of a node's inputs, looked up on demand so that running a node builds no id array.</summary>
internal interface INodeInputIds
{
    /// <summary>The content id of argument <paramref name="index"/> of node <paramref name="node"/>.</summary>
    NodeId InputId(int node, int index);
}
