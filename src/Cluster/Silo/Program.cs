using VoxScheduler.Cluster.Silo;

// A VoxScheduler silo: worker slots and a coordinator over the shared PostgreSQL store.
return await SiloHost.RunAsync(args);
