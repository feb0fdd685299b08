namespace VoxScheduler.Operations.Builtins;

/// <summary>The registered <see cref="IDefaultPrimitiveExtension"/>s, one per process (lock-free reads of a snapshot).</summary>
internal static class DefaultPrimitiveExtensions
{
    private static readonly Lock Gate = new();
    private static volatile IDefaultPrimitiveExtension[] _extensions = [];

    /// <summary>Registers an extension (idempotent for the same instance).</summary>
    public static void Register(IDefaultPrimitiveExtension extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        lock (Gate)
        {
            if (!_extensions.Contains(extension)) _extensions = [.. _extensions, extension];
        }
    }

    /// <summary>The first registered extension's result for the call, or false when none takes it.</summary>
    public static bool TryApply(string primitive, OperationContext context, out object? result)
    {
        foreach (var extension in _extensions)
        {
            if (extension.TryApply(primitive, context, out result)) return true;
        }

        result = null;
        return false;
    }
}
