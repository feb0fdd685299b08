namespace VoxScheduler.Cmdlets.Hosting;

/// <summary>A store: its backend and its folder (full path).</summary>
/// <param name="Backend"><c>sqlite</c>, <c>filesystem</c> or <c>hybrid</c>.</param>
/// <param name="Path">The store's folder, fully qualified.</param>
public sealed record StoreLocation(string Backend, string Path)
{
    /// <inheritdoc />
    public override string ToString() => $"{Backend}:{Path}";
}
