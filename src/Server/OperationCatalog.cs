using VoxScheduler.Operations;

namespace VoxScheduler.Server;

/// <summary>The operations the server's engine offers.</summary>
internal static class OperationCatalog
{
    /// <summary>The built-in namespaces (default, strings, and test unless disabled).</summary>
    public static OperationRegistry Create(bool enableTestOperations)
    {
        var registry = new OperationRegistry();
        if (!enableTestOperations)
        {
            foreach (var op in registry.InNamespace("test")) registry.Unregister(op.Name);
        }

        return registry;
    }
}
