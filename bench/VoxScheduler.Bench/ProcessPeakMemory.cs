using System.Globalization;

namespace VoxScheduler.Bench;

/// <summary>
/// Another process's resident-set high-water mark (Linux: VmHWM in /proc/PID/status), and its
/// reset to the current RSS (writing 5 to /proc/PID/clear_refs, Linux 4.0+; allowed for a child
/// of the same user). Null where /proc is not there: the figure is then left out, not guessed.
/// </summary>
internal static class ProcessPeakMemory
{
    /// <summary>Resets the peak of process <paramref name="pid"/>; false when it cannot be reset (peaks then include earlier work).</summary>
    public static bool Reset(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The peak RSS of process <paramref name="pid"/> in MB, or null.</summary>
    public static double? PeakMb(int pid)
    {
        try
        {
            // "VmHWM:\t    1956 kB", or with no space after the tab once the figure has 8 digits.
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) return null;
            return Math.Round(long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
