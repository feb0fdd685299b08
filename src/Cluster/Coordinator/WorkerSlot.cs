namespace VoxScheduler.Cluster.Coordinator;

/// <summary>A worker slot: its number, the silo it lives on, and which joining of that silo it belongs to (<see cref="SlotPool"/>).</summary>
internal sealed record WorkerSlot(int Index, string Silo, int Epoch);
