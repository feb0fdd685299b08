using VoxScheduler.Operations;

namespace VoxScheduler.Language.Reduction;

/// <summary>A built-in operation named in the program (<c>range</c>, <c>strings.concat</c>).</summary>
internal sealed class BuiltinValue(Operation operation)
{
    public Operation Operation { get; } = operation;
}
