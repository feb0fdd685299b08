namespace VoxScheduler.Operations.Builtins;

/// <summary>The registry of the built-in namespaces: <c>default</c>, <c>strings</c> and <c>test</c> (docs/language.md §7).</summary>
public static class BuiltinOperations
{
    /// <summary>A new registry with every built-in operation.</summary>
    public static OperationRegistry CreateRegistry()
    {
        var registry = new OperationRegistry();
        DefaultNamespace.Register(registry);
        StringsNamespace.Register(registry);
        TestNamespace.Register(registry);
        return registry;
    }
}
