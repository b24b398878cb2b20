namespace ManagedCephFuse.BenchRunner.Os;

/// <summary>Mount table queries, unmounting and the kernel's caches.</summary>
internal static class Mounts
{
    /// <summary>The file system type mounted exactly at <paramref name="mountPoint"/> (the top-most one), or
    /// null when nothing is mounted there.</summary>
    public static string? TypeAt(string mountPoint)
    {
        string? type = null;
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root MOUNTPOINT options [optional...] - FSTYPE source superoptions
            string[] fields = line.Split(' ');
            if (fields.Length < 5 || Unescape(fields[4]) != mountPoint)
                continue;
            int dash = Array.IndexOf(fields, "-", 5);
            if (dash > 0 && dash + 1 < fields.Length)
                type = fields[dash + 1];
        }
        return type;
    }

    /// <summary>
    /// umount(8) of a mount this runner made: retried while busy (a process of ours may still be closing
    /// files), then lazily detached as the last resort. Never throws; says on stderr what it had to do.
    /// </summary>
    public static void Unmount(string mountPoint)
    {
        for (int attempt = 0; attempt < 10 && TypeAt(mountPoint) is not null; attempt++)
        {
            var result = Tool.Run("umount", [mountPoint], TimeSpan.FromSeconds(60), CancellationToken.None);
            if (result.ExitCode == 0)
                return;
            Thread.Sleep(500);
        }
        if (TypeAt(mountPoint) is not null)
        {
            Console.Error.WriteLine($"[bench] {mountPoint} stayed busy: detaching it (umount -l)");
            Tool.Run("umount", ["-l", mountPoint], TimeSpan.FromSeconds(60), CancellationToken.None);
        }
    }

    /// <summary>echo 3 &gt; /proc/sys/vm/drop_caches: page cache, dentries and inodes of every file system.</summary>
    public static void DropCaches() => File.WriteAllText("/proc/sys/vm/drop_caches", "3");

    // mountinfo escapes space, tab, newline and backslash as \ooo
    private static string Unescape(string field) =>
        field.Contains('\\', StringComparison.Ordinal)
            ? field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
                .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal)
            : field;
}
