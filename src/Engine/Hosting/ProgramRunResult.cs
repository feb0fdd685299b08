using VoxScheduler.Scheduling;

namespace VoxScheduler.Hosting;

/// <summary>The outcome of running a program to the end.</summary>
public sealed record ProgramRunResult(string ExecutionId, ExecutionStatus Status, IReadOnlyList<GoalResult> Goals, ExecutionProgress Progress);
