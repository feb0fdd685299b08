namespace VoxScheduler.Bench;

/// <summary>Dispatches to one mode per file (BENCHMARKS.md §2); prints JSON lines on stdout, text on stderr.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: VoxScheduler.Bench dag|compare|program|storage|image|cluster [options]");
            return 2;
        }

        var rest = args[1..];
        try
        {
            switch (args[0])
            {
                case "dag":
                    return await DagMode.RunAsync(rest);
                case "compare":
                    return await CompareMode.RunAsync(rest);
                case "program":
                    return await ProgramBench.RunAsync(rest);
                case "storage":
                    return await StorageBench.RunAsync(rest);
                case "image":
                    return await ImageMode.RunAsync(rest);
                case "cluster":
                    return await ClusterMode.RunAsync(rest);
                case "cluster-silo":
                    // A silo process of the cluster mode: the silo executable's host, with bench.add and the image sources on every silo.
                    return await Cluster.Silo.SiloHost.RunAsync(rest, registry =>
                    {
                        registry.Register(new BenchAddOperation(0), replace: true);
                        BenchImageOperations.Register(registry);
                    });
                default:
                    Console.Error.WriteLine($"unknown mode '{args[0]}'");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            // A missing or malformed option: say which, not a stack trace (BENCHMARKS.md §2 lists the options).
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return 2;
        }
    }
}
