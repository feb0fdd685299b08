namespace VoxScheduler.Bench;

/// <summary>The <c>compare</c> mode (filled in below).</summary>
internal static class CompareMode
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(2);
}
