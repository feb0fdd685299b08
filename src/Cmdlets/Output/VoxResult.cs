using System.Management.Automation;
using VoxScheduler.Dag;
using VoxScheduler.Execution;
using VoxScheduler.Scheduling;
using VoxScheduler.Values;

namespace VoxScheduler.Cmdlets.Output;

/// <summary>The outcome of one goal (or named node) of an execution, as PowerShell sees it.</summary>
public sealed class VoxResult
{
    /// <summary>The goal's label (print), path (save) or node name (user DAGs).</summary>
    public string Goal { get; init; } = string.Empty;

    /// <summary>The node's content id (64 hex digits).</summary>
    public string NodeId { get; init; } = string.Empty;

    private readonly object? _value;

    private PSObject? _sequence;

    /// <summary>
    /// The value: numbers as double, booleans, strings, sequences as object[], bytes as byte[];
    /// large objects as a read-only stream opened on first read (a fresh stream on every read of
    /// this property, so the value can be read more than once); null when the goal did not succeed.
    /// A sequence comes wrapped so that its ToString is its flat form ([a, b, c]), which is what
    /// Export-Csv and ConvertTo-Csv write instead of System.Object[]; it still is an object[] to
    /// -is, indexing, the pipeline and ConvertTo-Json.
    /// </summary>
    public object? Value
    {
        get => LargeValue is { } open ? open() : _value is object?[] items ? (_sequence ??= Sequence(items)) : _value;
        init => _value = value;
    }

    /// <summary>The value as the engine holds it (no PowerShell wrapper), for the module's own code.</summary>
    internal object? RawValue => LargeValue is { } open ? open() : _value;

    /// <summary>The flat text of a wrapped sequence (the ToString of <see cref="Value"/> for sequences).</summary>
    /// <remarks>Public because PowerShell calls code methods through reflection.</remarks>
    public static string SequenceText(PSObject instance) => Output.ValueText.Format(instance?.BaseObject, MaxTextItems);

    private static PSObject Sequence(object?[] items)
    {
        var wrapped = new PSObject(items);
        wrapped.Members.Add(new PSCodeMethod("ToString", typeof(VoxResult).GetMethod(nameof(SequenceText))!));
        return wrapped;
    }

    /// <summary>Opens a large value (a new stream each time); null for values held in memory.</summary>
    internal Func<object>? LargeValue { get; init; }

    /// <summary>
    /// The value as flat text (sequences as [a, b, c], records as {k: v}, bytes as bytes[n]): what
    /// Export-Csv, Group-Object and Out-GridView show; empty when there is no value.
    /// </summary>
    public string ValueText => Succeeded ? Output.ValueText.Format(RawValue, MaxTextItems) : string.Empty;

    /// <summary>The program file (or "program text", "dag") the execution ran.</summary>
    public string? Source { get; init; }

    /// <summary>The data category of the value.</summary>
    public DataType DataType { get; init; }

    /// <summary>Encoded size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Completed, Cached, Failed, Skipped (or Cancelled / Pending for unfinished executions).</summary>
    public NodeStatus Status { get; init; }

    /// <summary>The error message; empty when none.</summary>
    public string Error { get; init; } = string.Empty;

    /// <summary>Time spent computing the goal's node.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Bytes allocated computing the goal's node (the specification's memory_usage_bytes); 0 when it was not computed in this execution.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>The execution that produced the result.</summary>
    public string ExecutionId { get; init; } = string.Empty;

    /// <summary>Print, Save or Node.</summary>
    public GoalKind Kind { get; init; }

    /// <summary>For save goals: the file written.</summary>
    public string? Path { get; init; }

    /// <summary>True when the goal has a value.</summary>
    public bool Succeeded => Status is NodeStatus.Completed or NodeStatus.Cached;

    /// <summary>Items of a sequence shown in <see cref="ValueText"/> before it is cut short.</summary>
    internal const int MaxTextItems = 1000;

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"{Goal} = {Output.ValueText.Format(RawValue)}" : $"{Goal}: {Status} ({Error})";
}
