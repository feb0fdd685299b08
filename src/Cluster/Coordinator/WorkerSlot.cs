namespace VoxScheduler.Cluster.Coordinator;

/// <summary>A worker slot of the current layout: its number and the silo it is meant to live on.</summary>
internal sealed record WorkerSlot(int Index, string Silo, int Generation);
