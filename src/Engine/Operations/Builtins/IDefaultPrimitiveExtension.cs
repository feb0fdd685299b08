namespace VoxScheduler.Operations.Builtins;

/// <summary>
/// A value kind's meaning for <c>default</c> primitives (IMAGES.md §4: <c>+ - * /</c>, the
/// comparisons, <c>and or not</c>, <c>abs</c>, <c>min</c>, <c>max</c> on images). A higher layer
/// implements it and registers it in <see cref="DefaultPrimitiveExtensions"/>, so one name keeps
/// one meaning across kinds while <c>default</c> never names the kind.
/// </summary>
internal interface IDefaultPrimitiveExtension
{
    /// <summary>
    /// Applies <paramref name="primitive"/> (the short name: <c>add</c>, <c>not</c>, <c>max</c>)
    /// when an argument is of this extension's kind, or returns false to leave the call to
    /// <c>default</c>'s own meaning. Errors are thrown as the operation's failures.
    /// </summary>
    bool TryApply(string primitive, OperationContext context, out object? result);
}
