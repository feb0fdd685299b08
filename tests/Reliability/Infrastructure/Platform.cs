using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VoxScheduler.Tests.Infrastructure;

/// <summary>What the machine lets a test do (root on Linux can mount small and read-only filesystems).</summary>
internal static class Platform
{
    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    /// <summary>True on Linux when running as root.</summary>
    public static bool IsLinuxRoot { get; } = OperatingSystem.IsLinux() && SafeEuid() == 0;

    /// <summary>True on Unix when not root (file modes are enforced).</summary>
    public static bool IsUnprivilegedUnix { get; } = !OperatingSystem.IsWindows() && SafeEuid() != 0;

    private static uint SafeEuid()
    {
        try
        {
            return GetEuid();
        }
        catch (DllNotFoundException)
        {
            return uint.MaxValue;
        }
        catch (EntryPointNotFoundException)
        {
            return uint.MaxValue;
        }
    }

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
