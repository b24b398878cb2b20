using System.Globalization;

namespace ManagedCephFuse.BenchRunner.Os;

/// <summary>
/// A process's cost as the kernel accounts it: CPU seconds (utime + stime of all its threads, living and
/// exited, from /proc/PID/stat) and peak resident set (VmHWM from /proc/PID/status), whose high-water mark
/// can be reset (clear_refs 5) so that each workload reports its own peak.
/// </summary>
internal static class ProcStats
{
    /// <summary>utime + stime in seconds (resolution: one clock tick, 10 ms).</summary>
    public static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // the command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (double)(utime + stime) / Native.ClockTicksPerSecond;
    }

    /// <summary>VmHWM in bytes: the peak resident set since start or since <see cref="ResetPeak"/>.</summary>
    public static long PeakRssBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>VmRSS in bytes.</summary>
    public static long RssBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>Resets VmHWM to the current RSS (writing 5 to /proc/PID/clear_refs, Linux ≥ 4.0).</summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>Running and not a zombie (kill -0 succeeds on zombies).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static long StatusKilobytes(int pid, string key)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                // "VmHWM:	  123456 kB"
                string value = line[key.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ')], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no {key}");
    }
}
