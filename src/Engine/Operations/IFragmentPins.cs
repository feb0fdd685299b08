using VoxScheduler.Dag;

namespace VoxScheduler.Operations;

/// <summary>
/// Where an operation's expansion fragment is announced the moment it is made
/// (<see cref="OperationContext.Expand"/>): the running execution keeps the fragment's
/// nodes from any retention eviction that starts from then on, before it looks them up in the store.
/// </summary>
internal interface IFragmentPins
{
    /// <summary>Keeps the fragment's node ids (all but its constants) until the execution ends.</summary>
    void PinFragment(DagDefinition fragment);
}
