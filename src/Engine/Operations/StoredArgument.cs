using VoxScheduler.Dag;

namespace VoxScheduler.Operations;

/// <summary>
/// An argument left in the store: what an operation that reads that argument as a stream (see
/// <see cref="Operation.ReadsAsStream"/>) finds in its place when the value is not in memory.
/// It is a reference (the input's id, its stored size and a way to open it), never the value:
/// read it with <see cref="OperationContext.OpenArgumentStreamAsync"/>.
/// </summary>
public sealed class StoredArgument
{
    private readonly Func<CancellationToken, ValueTask<Stream?>> _open;

    internal StoredArgument(NodeId id, long size, Func<CancellationToken, ValueTask<Stream?>> open)
    {
        Id = id;
        Size = size;
        _open = open;
    }

    /// <summary>The input's content id.</summary>
    public NodeId Id { get; }

    /// <summary>Size of the stored byte form (its one-byte kind tag included).</summary>
    public long Size { get; }

    /// <summary>A read-only stream over the stored byte form, verified as it is read; null when it is no longer stored.</summary>
    internal ValueTask<Stream?> OpenAsync(CancellationToken cancellationToken) => _open(cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"stored argument {Id.ToShortString()} ({Size} bytes)";
}
