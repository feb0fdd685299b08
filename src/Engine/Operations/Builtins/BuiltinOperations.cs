namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// The registry of the built-in namespaces: <c>default</c>, <c>strings</c> and <c>test</c> here,
/// and the namespaces higher layers contribute when the engine loads (<c>vox1</c>, from Images)
/// (docs/language.md §7).
/// </summary>
public static class BuiltinOperations
{
    private static readonly Lock Gate = new();
    private static volatile Action<OperationRegistry>[] _contributions = [];

    /// <summary>A new registry with every built-in operation.</summary>
    public static OperationRegistry CreateRegistry()
    {
        var registry = new OperationRegistry();
        DefaultNamespace.Register(registry);
        StringsNamespace.Register(registry);
        TestNamespace.Register(registry);
        foreach (var contribute in _contributions) contribute(registry);
        return registry;
    }

    /// <summary>
    /// Adds a built-in namespace defined in a higher layer (idempotent for the same delegate): it
    /// registers its operations (and library) into every registry created after this call. This
    /// is how Images gives the engine <c>vox1</c> without Operations naming Images.
    /// </summary>
    internal static void Contribute(Action<OperationRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        lock (Gate)
        {
            if (!_contributions.Contains(register)) _contributions = [.. _contributions, register];
        }
    }
}
