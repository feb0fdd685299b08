namespace VoxScheduler.Cmdlets.Dags;

/// <summary>The text diagram languages Show-VoxDag writes.</summary>
public enum DagDiagramFormat
{
    /// <summary>A Mermaid flowchart: renders in GitHub, GitLab and Azure DevOps Markdown inside a <c>```mermaid</c> fence.</summary>
    Mermaid,

    /// <summary>Graphviz DOT: <c>dot -Tsvg</c>, or a <c>```dot</c> fence where the Markdown renderer supports it.</summary>
    Dot,
}
