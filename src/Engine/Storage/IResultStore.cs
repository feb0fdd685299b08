namespace VoxScheduler.Storage;

/// <summary>
/// A store as the engine opens it: a backend (<c>sqlite</c>, <c>filesystem</c>, <c>hybrid</c>)
/// implements all three contracts (results, execution history, maintenance), so callers hold one
/// object; code that needs only one part can take the narrower contract.
/// </summary>
public interface IResultStore : IStoredResults, IExecutionHistory, IStoreMaintenance, IAsyncDisposable
{
}
