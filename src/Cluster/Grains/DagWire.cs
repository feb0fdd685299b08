using VoxScheduler.Cluster.Client;
using VoxScheduler.Dag;
using VoxScheduler.Values;

namespace VoxScheduler.Cluster.Grains;

/// <summary>
/// The form a DAG travels in from a client to the coordinating silo: the compact form of
/// <see cref="DagCodec"/> without ids (the DAG's JSON form names every node by its 64-hex id in
/// its arguments and again in its dependencies: about 600 characters per node of the layered
/// benchmark graph). The silo rebuilds the DAG with a <see cref="DagBuilder"/>, so node ids are
/// computed as for any DAG, checks what the JSON path checks (operators, arities, references),
/// listing every problem, and bounds it as a submission (<see cref="VoxClusterClient.MaxSubmissionChars"/> bytes).
/// </summary>
internal static class DagWire
{
    private static readonly DagValueCodec Values = new(ValueCodec.Encode, ValueCodec.Decode);

    private static readonly DagCodecLimits Limits = new() { MaxBytes = VoxClusterClient.MaxSubmissionChars };

    /// <summary>The compact form, or null when the DAG holds what it does not carry (external nodes, values the value codec cannot encode): then the JSON form is sent.</summary>
    public static byte[]? TryWrite(DagDefinition dag) => DagCodec.TryWrite(dag, Values, keepIds: false);

    /// <summary>Rebuilds a DAG sent by <see cref="TryWrite"/>, with the operators of <paramref name="operations"/>.</summary>
    /// <exception cref="ValidationException">Every problem: unknown operators, wrong arities, references to later nodes, bad goals or a malformed form, an earlier version, more bytes than a submission.</exception>
    public static DagDefinition Read(byte[] data, IOperatorResolver operations) => DagCodec.Read(data, Values, operations, Limits);
}
