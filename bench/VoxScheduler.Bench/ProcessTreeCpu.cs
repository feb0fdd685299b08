using System.Globalization;

namespace VoxScheduler.Bench;

/// <summary>
/// CPU time of a process and every descendant (user + system, with the reaped children's):
/// PostgreSQL runs a process per connection under its postmaster, so the cluster bench reports
/// its CPU per pass next to the silos'. Linux only (<c>/proc</c>); elsewhere null.
/// </summary>
internal static class ProcessTreeCpu
{
    public static double? Milliseconds(int root)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var ticks = 100.0; // USER_HZ: 100 on every Linux the bench runs on
        var parents = new Dictionary<int, int>();
        var times = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // After the command's closing parenthesis: state ppid … utime(14) stime(15) cutime(16) cstime(17), counted from pid = 1.
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            parents[pid] = int.Parse(f[1], CultureInfo.InvariantCulture);
            times[pid] = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)
                + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture);
        }

        long total = 0;
        foreach (var (pid, t) in times)
        {
            for (var p = pid; p > 1; p = parents.GetValueOrDefault(p, 0))
            {
                if (p != root) continue;
                total += t;
                break;
            }
        }

        return total * 1000.0 / ticks;
    }
}
