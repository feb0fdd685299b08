using VoxScheduler.Dag;
using VoxScheduler.Language.Syntax;

namespace VoxScheduler.Language.Reduction;

/// <summary>
/// Program parameters (docs/language.md §2): a value the host binds by name replaces the main
/// program's top-level declaration of that name with a constant, so the constant's id, and every
/// id depending on it, is part of the DAG like any other value.
/// </summary>
internal sealed partial class Reducer
{
    private HashSet<string>? _boundParameters;
    private List<string>? _declaredValues;

    /// <summary>
    /// Binds <paramref name="d"/> to its parameter when the host gave one; true when the declaration
    /// was replaced (a function named by a parameter is reported and then declared as usual).
    /// </summary>
    private bool TryBindParameter(Declaration d, FileScope scope, bool isMain)
    {
        if (!isMain || _options.Parameters is not { Count: > 0 } parameters) return false;
        if (!d.IsFunction) (_declaredValues ??= []).Add(d.Name);
        if (!parameters.TryGetValue(d.Name, out var value)) return false;

        var top = new Env(null, scope, int.MaxValue);
        if (d.IsFunction)
        {
            Error(top, d.NamePosition, "ParameterIsFunction",
                $"the parameter '{d.Name}' names a function declaration; only a value declaration ({d.Name} = e) can be replaced by a parameter");

            // Reported once, here: the function is still declared so its uses do not echo "unbound name".
            (_boundParameters ??= new HashSet<string>(StringComparer.Ordinal)).Add(d.Name);
            return false;
        }

        int node;
        try
        {
            node = _builder.Constant(value);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            Error(top, d.NamePosition, "InvalidParameter", $"the value of the parameter '{d.Name}' cannot be a program constant: {e.Message}");
            return true;
        }

        (_boundParameters ??= new HashSet<string>(StringComparer.Ordinal)).Add(d.Name);
        scope.Bind(d.Name, RValue.Of(node), ++_serial);
        _builder.TryLabel(d.Name, node);
        return true;
    }

    /// <summary>Reports every parameter the main program declares no value for (call once the whole program is reduced).</summary>
    public void CheckParameters(string file)
    {
        if (_options.Parameters is not { Count: > 0 } parameters) return;
        var declared = _declaredValues is null ? "none" : string.Join(", ", _declaredValues.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        foreach (var name in parameters.Keys.Order(StringComparer.Ordinal))
        {
            if (_boundParameters?.Contains(name) == true) continue;
            _diagnostics.Add("UnknownParameter",
                $"{file}: the parameter '{name}' replaces no declaration: the program declares no top-level value named '{name}' (its top-level values: {declared})",
                file);
        }
    }
}
