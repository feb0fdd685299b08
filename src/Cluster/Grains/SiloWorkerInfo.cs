namespace VoxScheduler.Cluster.Grains;

/// <summary>A silo's worker: its slots, the calls it runs now and the bytes its input cache holds.</summary>
[GenerateSerializer]
internal sealed class SiloWorkerInfo
{
    [Id(0)] public string Silo { get; set; } = string.Empty;

    [Id(1)] public int Slots { get; set; }

    [Id(2)] public int InFlight { get; set; }

    [Id(3)] public long CachedBytes { get; set; }
}
