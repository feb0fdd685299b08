namespace VoxScheduler.Dag;

/// <summary>How a goal reports its value.</summary>
public enum GoalKind
{
    /// <summary><c>print "label" e</c>: reported under its label.</summary>
    Print,

    /// <summary><c>save "path" e</c>: written to a file.</summary>
    Save,

    /// <summary>A named node of a user-built DAG whose value is reported.</summary>
    Node,
}
