namespace VoxScheduler.Cluster.Grains;

/// <summary>One goal of an execution: where its result stands (the value itself is read from the store).</summary>
[GenerateSerializer]
internal sealed class GoalSnapshot
{
    [Id(0)] public string Name { get; set; } = string.Empty;

    [Id(1)] public int Kind { get; set; }

    [Id(2)] public string NodeId { get; set; } = string.Empty;

    [Id(3)] public int Status { get; set; }

    [Id(4)] public string? Error { get; set; }

    [Id(5)] public long Size { get; set; }

    [Id(6)] public int DataType { get; set; }

    [Id(7)] public long DurationTicks { get; set; }

    /// <summary>The goal's value in its byte form when it is small (<see cref="ExecutionGrain.MaxInlineGoal"/>); otherwise read it from the store.</summary>
    [Id(8)] public byte[]? Value { get; set; }

    /// <summary>The goal's place among the execution's goals (source order).</summary>
    [Id(9)] public int Ordinal { get; set; }
}
