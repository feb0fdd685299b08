namespace VoxScheduler.VoxHost;

/// <summary>
/// Test host: <c>VoxHost MODE [options]</c>. Each mode lives in its own file; add a mode by
/// adding a case here. Exit codes: 0 done, 1 failure, 2 usage.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: VoxHost store-loop|run-dag|run-program|compile|size-dag [options]");
            return 2;
        }

        try
        {
            switch (args[0])
            {
                case "store-loop": return await StoreLoopMode.RunAsync(args[1..]);
                case "run-dag": return await ReliabilityModes.RunDagAsync(args[1..]);
                case "run-program": return await ReliabilityModes.RunProgramAsync(args[1..]);
                case "compile": return await ReliabilityModes.CompileAsync(args[1..]);
                case "size-dag": return await ReliabilityModes.SizeDagAsync(args[1..]);
                default:
                    Console.Error.WriteLine($"unknown mode '{args[0]}'");
                    return 2;
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }
}
