using VoxScheduler.Operations;

namespace VoxScheduler.VoxHost;

/// <summary>The operations VoxHost's reliability modes run with: every built-in namespace plus <c>rel</c>.</summary>
internal static class HostOperations
{
    public static OperationRegistry Create() => ReliabilityOperations.AddTo(BuiltinRegistry());

    private static OperationRegistry BuiltinRegistry()
    {
        var registry = VoxScheduler.Operations.Builtins.BuiltinOperations.CreateRegistry();
        // The test namespace is registered by the built-ins once they are wired together; until then, here.
        if (!registry.TryGet("test.spin", out _)) VoxScheduler.Operations.Builtins.TestNamespace.Register(registry);
        return registry;
    }
}
