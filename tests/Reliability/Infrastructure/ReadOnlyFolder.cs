namespace VoxScheduler.Tests.Infrastructure;

/// <summary>
/// Makes a folder read-only for real, then writable again on dispose. Linux as root: a read-only
/// bind mount of the folder over itself (root ignores file modes, not a read-only mount).
/// Elsewhere: file modes (Unix, not root) or read-only attributes (Windows).
/// </summary>
internal sealed class ReadOnlyFolder : IDisposable
{
    private readonly string _path;
    private readonly bool _mounted;

    public ReadOnlyFolder(string path)
    {
        _path = path;
        if (Platform.IsLinuxRoot)
        {
            var (code, text) = Platform.Run("mount", "--bind", path, path);
            Assert.True(code == 0, $"mount --bind failed: {text}");
            (code, text) = Platform.Run("mount", "-o", "remount,bind,ro", path);
            if (code != 0)
            {
                Platform.Run("umount", path);
                Assert.Fail($"remount,bind,ro failed: {text}");
            }

            _mounted = true;
        }
        else if (OperatingSystem.IsWindows())
        {
            foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(f, File.GetAttributes(f) | FileAttributes.ReadOnly);
            }
        }
        else
        {
            Assert.True(Platform.IsUnprivilegedUnix, "Cannot make a folder read-only here: not root on Linux and file modes would not bind this user.");
            SetUnixModes(path, writable: false);
        }

        // The precondition is checked, not assumed.
        var probe = Path.Combine(path, $"probe-{Guid.NewGuid():N}");
        Assert.ThrowsAny<Exception>(() => File.WriteAllText(probe, "x"));
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Platform.Run("umount", "-l", _path);
        }
        else if (OperatingSystem.IsWindows())
        {
            foreach (var f in Directory.EnumerateFiles(_path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(f, File.GetAttributes(f) & ~FileAttributes.ReadOnly);
            }
        }
        else
        {
            SetUnixModes(_path, writable: true);
        }
    }

    private static void SetUnixModes(string path, bool writable)
    {
        if (OperatingSystem.IsWindows()) return;
        var dirMode = writable ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.UserRead | UnixFileMode.UserExecute;
        var fileMode = writable ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead;
        foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(f, fileMode);
        foreach (var d in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(d, dirMode);
        File.SetUnixFileMode(path, dirMode);
    }
}
