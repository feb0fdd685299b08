using VoxScheduler.Dag;

namespace VoxScheduler.Language;

/// <summary>A program reduced to its DAG.</summary>
/// <param name="Dag">The DAG with print/save goals in source order.</param>
/// <param name="ReduceTime">Time spent parsing and reducing.</param>
public sealed record CompiledProgram(DagDefinition Dag, TimeSpan ReduceTime);
