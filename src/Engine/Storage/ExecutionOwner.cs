using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace VoxScheduler.Storage;

/// <summary>
/// Which process runs an execution, recorded with its history as
/// <c>machine/pid/process-start-seconds</c>, followed on Linux by <c>/pid-namespace</c> (the
/// inode of <c>/proc/self/ns/pid</c>). A record left <c>Running</c> by a process that has
/// since ended (killed, crashed, machine switched off) is read back as <c>Interrupted</c>
/// instead of running forever. Only a process of this machine and of this process's pid
/// namespace that is certainly gone (no such pid, or the pid now belongs to a later process)
/// counts as ended: a record from another machine, or from another container that shares the
/// machine name and the store but not the pids, or one written before owners were recorded,
/// keeps its status. A cluster execution's record also names its coordinating silo
/// (<see cref="ExecutionRecord.Coordinator"/>): the surviving silos write it Interrupted when that
/// silo is declared dead, with <see cref="LostCoordinatorReason"/>, the text it reads back with here too.
/// </summary>
public static class ExecutionOwner
{
    /// <summary>The status a finished-without-ending execution is reported with.</summary>
    public const string InterruptedStatus = "Interrupted";

    private static readonly Lazy<string?> s_pidNamespace = new(ReadPidNamespace);

    private static readonly Lazy<string> s_current = new(() => Describe(Environment.MachineName, Environment.ProcessId, StartTicks(Environment.ProcessId)));

    /// <summary>The owner string of this process.</summary>
    public static string Current => s_current.Value;

    /// <summary>The owner string of a process on this machine, or null when its start time cannot be read.</summary>
    public static string? Of(int processId)
    {
        var ticks = StartTicks(processId);
        return ticks is null ? null : Describe(Environment.MachineName, processId, ticks);
    }

    /// <summary>
    /// The record as it should be reported: a Pending or Running record whose owner has ended
    /// becomes Interrupted (with an explanation in place of a missing error).
    /// </summary>
    public static ExecutionRecord Resolve(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Status is not ("Running" or "Pending") || !HasEnded(record.Owner))
        {
            return record;
        }

        // A cluster run reads back as the surviving silos write it (LostCoordinatorReason), so a reader
        // on the dead silo's machine, which sees its process gone before the cluster declares it dead, agrees with every other.
        return record.Coordinator is { } silo
            ? record with { Status = InterruptedStatus, Error = LostCoordinatorReason(silo) }
            : record with { Status = InterruptedStatus, Error = record.Error ?? EndedProcessReason };
    }

    /// <summary>Why a local execution whose process ended unfinished is Interrupted (the wording of <see cref="LostCoordinatorReason"/>, for a process).</summary>
    public const string EndedProcessReason =
        "The process running this execution ended before it finished; submit it again to resume: finished results are in the store.";

    /// <summary>
    /// Why a cluster execution whose coordinating silo was lost (killed, cut off: declared dead by
    /// the cluster) is Interrupted: the text the surviving silos record, and the one a record of
    /// that silo reads back with where its process can be seen to be gone.
    /// </summary>
    public static string LostCoordinatorReason(string silo) =>
        $"The silo coordinating this execution ({silo}) was lost (it ended before it finished); submit it again to resume: finished results are in the store.";

    /// <summary>True only when <paramref name="owner"/> names a process of this machine that no longer runs.</summary>
    public static bool HasEnded(string? owner)
    {
        if (owner is null)
        {
            return false;
        }

        var parts = owner.Split('/');
        if (parts.Length is not (3 or 4)
            || !string.Equals(parts[0], Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var startTicks))
        {
            return false; // another machine, or not a form this build writes: cannot tell
        }

        // Its pids are another namespace's (another container with this machine name): cannot tell.
        // A record without one was written where namespaces are not read, or by an older version.
        if (parts.Length == 4 && parts[3] != s_pidNamespace.Value)
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            return StartTicks(pid) is { } mine && IsOtherProcess(mine, startTicks);
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return true;
            }

            // The pid was reused by a later process when the start times differ.
            return StartTicks(process) is { } ticks && IsOtherProcess(ticks, startTicks);
        }
        catch (ArgumentException)
        {
            return true; // no process has this pid
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Start times are in whole seconds and two processes may compute them a few milliseconds
    // apart (from the boot time and the process's start in clock ticks), so only a clear
    // difference means another process; 0 means the start was unknown when recorded.
    private static bool IsOtherProcess(long seconds, long recordedSeconds) =>
        recordedSeconds != 0 && Math.Abs(seconds - recordedSeconds) > 2;

    private static string Describe(string machine, int pid, long? startTicks) => s_pidNamespace.Value is { } pidNamespace
        ? string.Create(CultureInfo.InvariantCulture, $"{machine}/{pid}/{startTicks ?? 0}/{pidNamespace}")
        : string.Create(CultureInfo.InvariantCulture, $"{machine}/{pid}/{startTicks ?? 0}");

    // The inode number of this process's pid namespace ("pid:[4026531836]"), on Linux; null where
    // there is no such link (other systems), so records there keep the three-part form.
    private static string? ReadPidNamespace()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var target = new FileInfo("/proc/self/ns/pid").LinkTarget;
            if (target is null || !target.StartsWith("pid:[", StringComparison.Ordinal) || !target.EndsWith(']')) return null;
            var inode = target[5..^1];
            return inode.Length > 0 && inode.All(char.IsAsciiDigit) ? inode : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    private static long? StartTicks(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return StartTicks(process);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Whole seconds of the start time (see IsOtherProcess).
    private static long? StartTicks(Process process)
    {
        try
        {
            var start = process.StartTime.ToUniversalTime();
            return start.Ticks / TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
