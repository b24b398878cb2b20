using System.Globalization;
using System.Runtime.InteropServices;
using ManagedCephFuse.BenchRunner.Os;

namespace ManagedCephFuse.BenchRunner;

/// <summary>What the numbers were measured on, and how busy the machine was.</summary>
internal sealed record Machine(IReadOnlyList<(string Name, string Value)> Facts)
{
    public static Machine Describe(string root)
    {
        var facts = new List<(string, string)>
        {
            ("CPU", CpuModel()),
            ("cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            ("memory", $"{MemTotalKiB() / 1024 / 1024.0:F1} GiB"),
            ("kernel", Read("/proc/sys/kernel/osrelease")),
            ("OS", OsName()),
            ("Ceph", Tool.TryOutput("ceph-fuse", "--version") ?? "(ceph-fuse not installed)"),
            ("libfuse", Tool.TryOutput("pkg-config", "--modversion", "fuse3") is { } v ? $"fuse3 {v}" : "(fuse3 dev files not installed)"),
            ("fio", Tool.TryOutput("fio", "--version") ?? "(not installed)"),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("commit", Tool.TryOutput("git", "-C", root, "describe", "--always", "--dirty") ?? "(unknown)"),
        };
        return new Machine(facts);
    }

    /// <summary>The 1/5/15-minute load and how many other Ceph daemons run here right now.</summary>
    public static string Load()
    {
        string load = string.Join(' ', Read("/proc/loadavg").Split(' ').Take(3));
        int osds = 0, fuse = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                string comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                if (comm == "ceph-osd")
                    osds++;
                else if (comm is "ceph-fuse" or "managed-cephfus")
                    fuse++;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return $"load {load}; {osds} ceph-osd and {fuse} FUSE client processes running (all clusters on this machine)";
    }

    private static string CpuModel()
    {
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal))
                return line[(line.IndexOf(':') + 1)..].Trim();
        }
        return "(unknown)";
    }

    private static long MemTotalKiB()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    private static string OsName()
    {
        try
        {
            foreach (string line in File.ReadLines("/etc/os-release"))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                    return line["PRETTY_NAME=".Length..].Trim('"') +
                        (File.Exists("/etc/debian_version") ? $" ({Read("/etc/debian_version")})" : "");
            }
        }
        catch (IOException)
        {
        }
        return "(unknown)";
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "(unknown)";
        }
    }
}
