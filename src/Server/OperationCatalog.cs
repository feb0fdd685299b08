using VoxScheduler.Operations;
using VoxScheduler.Operations.Builtins;

namespace VoxScheduler.Server;

/// <summary>The operations the server's engine offers.</summary>
internal static class OperationCatalog
{
    /// <summary>The built-in namespaces (default, strings, and test unless disabled), file reads confined to <paramref name="dataRoot"/>.</summary>
    public static OperationRegistry Create(bool enableTestOperations, string dataRoot)
    {
        var registry = BuiltinOperations.CreateRegistry();
        foreach (var name in ConfinedFileOperation.FileReaders)
        {
            if (registry.TryGet(name, out var reader))
                registry.Register(new ConfinedFileOperation(reader, dataRoot), replace: true);
        }

        if (!enableTestOperations)
        {
            foreach (var op in registry.InNamespace("test")) registry.Unregister(op.Name);
        }

        return registry;
    }
}
