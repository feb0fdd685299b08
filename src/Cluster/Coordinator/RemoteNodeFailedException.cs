namespace VoxScheduler.Cluster.Coordinator;

/// <summary>A node's try failed on a worker with a failure worth retrying (the message is the worker's, naming the cause).</summary>
internal sealed class RemoteNodeFailedException(string message) : Exception(message);
