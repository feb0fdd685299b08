namespace VoxScheduler.Cluster.Grains;

/// <summary>What one silo says about itself; keyed by the silo's address (parsable form) and placed there.</summary>
internal interface ISiloInfoGrain : IGrainWithStringKey
{
    Task<SiloWorkerInfo> GetAsync();
}
