using VoxScheduler.Dag;

namespace VoxScheduler.Scheduling;

/// <summary>A result the plan counted as stored is no longer in the store (quarantined after damage, or evicted).</summary>
internal sealed class StoredResultMissingException(string message, NodeId nodeId) : StorageException(message, nodeId);
