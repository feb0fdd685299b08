namespace VoxScheduler.Tests.Infrastructure;

/// <summary>
/// A size-limited tmpfs mounted on a fresh folder (Linux, root): the way to make a store's disk
/// fill up for real, or to remount it read-only under a running store. Unmounted on dispose.
/// </summary>
internal sealed class SmallFilesystem : IDisposable
{
    private readonly TempFolder _folder;
    private bool _mounted;

    private SmallFilesystem(long bytes)
    {
        _folder = new TempFolder("vox-tmpfs");
        Path = _folder.Path;
        var (code, output) = Platform.Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", Path);
        if (code != 0)
        {
            _folder.Dispose();
            throw new InvalidOperationException($"mount -t tmpfs failed ({code}): {output}");
        }

        _mounted = true;
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>
    /// Mounts a tmpfs of <paramref name="bytes"/> bytes. The precondition is asserted, not
    /// assumed: on a machine where this is impossible the test fails saying why (never a silent pass).
    /// </summary>
    public static SmallFilesystem Mount(long bytes)
    {
        Assert.True(Platform.IsLinuxRoot,
            "This test fills a real filesystem: it needs Linux and root to mount a size-limited tmpfs (CI runs it that way). " +
            $"Here: {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, root={Platform.IsLinuxRoot}.");
        return new SmallFilesystem(bytes);
    }

    /// <summary>Remounts read-only: every later write fails with EROFS, reads still work.</summary>
    public void RemountReadOnly()
    {
        var (code, output) = Platform.Run("mount", "-o", "remount,ro", Path);
        Assert.True(code == 0, $"remount,ro failed: {output}");
    }

    /// <summary>Remounts read-write.</summary>
    public void RemountReadWrite()
    {
        var (code, output) = Platform.Run("mount", "-o", "remount,rw", Path);
        Assert.True(code == 0, $"remount,rw failed: {output}");
    }

    public void Dispose()
    {
        if (_mounted)
        {
            // Lazy unmount: a killed child may still hold files open for a moment.
            Platform.Run("umount", "-l", Path);
            _mounted = false;
        }

        _folder.Dispose();
    }
}
