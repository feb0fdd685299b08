namespace VoxScheduler.Language.Reduction;

/// <summary>
/// What an expression reduces to: a DAG node (by index in the builder), something callable
/// (a user function or a built-in), or poison (an error was already reported; stay quiet).
/// A struct so that reducing a node allocates nothing beyond the node itself.
/// </summary>
internal readonly record struct RValue(int Node, object? Callable)
{
    public static RValue Poison { get; } = new(-1, PoisonMarker.Instance);

    public static RValue Of(int node) => new(node, null);

    public bool IsNode => Callable is null;

    public bool IsPoison => Callable is PoisonMarker;

    public sealed class PoisonMarker
    {
        public static PoisonMarker Instance { get; } = new();
    }
}
