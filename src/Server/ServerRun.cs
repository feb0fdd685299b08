using VoxScheduler.Scheduling;

namespace VoxScheduler.Server;

/// <summary>An execution submitted through this server, with the folders the server chose for it.</summary>
/// <param name="Execution">The engine's execution.</param>
/// <param name="OutputFolder">Where relative <c>save</c> paths resolve, and the only place they may write.</param>
/// <param name="StoragePath">The confined store folder (null for the memory-only backend).</param>
internal sealed record ServerRun(IExecution Execution, string OutputFolder, string? StoragePath)
{
    /// <summary>
    /// Completes after the execution has ended and the server has released its slot, so an
    /// answer sent after awaiting it never races a client's next submission against the limit.
    /// </summary>
    public Task<ExecutionStatus> Finished { get; init; } = Task.FromResult(ExecutionStatus.Pending);
}
