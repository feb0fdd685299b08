namespace VoxScheduler.Language.Reduction;

/// <summary>An immutable chain of local bindings (parameters, let-in, loop variables), innermost first.</summary>
internal sealed class LocalScope(string name, RValue value, LocalScope? parent)
{
    public string Name { get; } = name;

    public RValue Value { get; } = value;

    public LocalScope? Parent { get; } = parent;

    public static bool TryFind(LocalScope? scope, string name, out RValue value)
    {
        for (var s = scope; s is not null; s = s.Parent)
        {
            if (s.Name == name)
            {
                value = s.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
