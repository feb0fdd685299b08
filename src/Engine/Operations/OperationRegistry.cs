using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using VoxScheduler.Dag;

namespace VoxScheduler.Operations;

/// <summary>
/// The operations an engine can run, by qualified name. Thread-safe; operations may be added
/// while executions run (a node only looks its operation up when it is validated).
/// </summary>
public sealed class OperationRegistry : IOperatorResolver
{
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NamespaceLibrary> _libraries = new(StringComparer.Ordinal);

    /// <summary>Every registered operation, sorted by name.</summary>
    public IReadOnlyList<Operation> All => _operations.Values.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();

    /// <summary>The namespaces that have at least one operation.</summary>
    public IReadOnlyCollection<string> Namespaces => _operations.Values.Select(o => o.Namespace).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Adds an operation, or replaces one with the same name when <paramref name="replace"/> is true.</summary>
    /// <exception cref="ArgumentException">An operation with this name exists and <paramref name="replace"/> is false.</exception>
    public void Register(Operation operation, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (replace)
        {
            _operations[operation.Name] = operation;
        }
        else if (!_operations.TryAdd(operation.Name, operation))
        {
            throw new ArgumentException($"An operation named '{operation.Name}' is already registered.", nameof(operation));
        }
    }

    /// <summary>Adds several operations.</summary>
    public void RegisterRange(IEnumerable<Operation> operations, bool replace = false)
    {
        foreach (var op in operations) Register(op, replace);
    }

    /// <summary>Removes an operation; false when it was not registered.</summary>
    public bool Unregister(string name) => _operations.TryRemove(name, out _);

    /// <summary>Finds an operation by qualified name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out Operation? operation) => _operations.TryGetValue(name, out operation);

    /// <inheritdoc />
    bool IOperatorResolver.TryResolve(string name, [NotNullWhen(true)] out IOperatorSignature? signature)
    {
        var found = _operations.TryGetValue(name, out var operation);
        signature = operation;
        return found;
    }

    /// <summary>True when the namespace has operations.</summary>
    public bool HasNamespace(string ns) => _operations.Values.Any(o => o.Namespace == ns);

    /// <summary>The operations of one namespace.</summary>
    public IReadOnlyList<Operation> InNamespace(string ns) =>
        _operations.Values.Where(o => o.Namespace == ns).OrderBy(o => o.Name, StringComparer.Ordinal).ToList();

    /// <summary>Adds (or replaces) the ImgQL standard library of a namespace, imported with it.</summary>
    public void RegisterLibrary(NamespaceLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        _libraries[library.Namespace] = library;
    }

    /// <summary>Finds the standard library of a namespace, if it has one.</summary>
    public bool TryGetLibrary(string ns, [NotNullWhen(true)] out NamespaceLibrary? library) => _libraries.TryGetValue(ns, out library);
}
