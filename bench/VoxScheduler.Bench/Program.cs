namespace VoxScheduler.Bench;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: VoxScheduler.Bench dag|program|storage|compare [options] (modes are added by their issues)");
        return args.Length == 0 ? 2 : 1;
    }
}
