using VoxScheduler.Dag;

namespace VoxScheduler.Operations;

/// <summary>
/// Where the nodes of one execution open their streaming outputs. The execution layer
/// implements it over the store, so an <see cref="OperationContext"/> never names the layers
/// above Operations; one per execution, and a node's output object is created only when its
/// operation opens it.
/// </summary>
internal interface IStreamingOutputSource
{
    /// <summary>The (not yet opened) streaming output of one node.</summary>
    IStreamingOutputSession Create(NodeId nodeId, string? @operator);
}
