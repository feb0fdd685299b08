namespace VoxScheduler.Dag;

/// <summary>What a DAG node is.</summary>
public enum NodeKind
{
    /// <summary>A literal value; its id is the hash of the value.</summary>
    Constant,

    /// <summary>An operation applied to argument nodes.</summary>
    Operation,

    /// <summary>
    /// A node of an enclosing plan referenced by id from an expansion fragment: its value
    /// comes from that plan (or the store), it is never computed by the fragment.
    /// </summary>
    External,
}
