using System.Runtime.InteropServices;

namespace ManagedCephFuse.BenchRunner.Os;

/// <summary>The few libc calls the runner needs that .NET does not offer.</summary>
internal static partial class Native
{
    public const int SIGTERM = 15;
    private const int ScClockTicks = 2; // _SC_CLK_TCK
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloExec = 0x80000;

    // int kill(pid_t pid, int sig);
    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    // long sysconf(int name);
    [LibraryImport("libc.so.6", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    // int open(const char *pathname, int flags);
    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    // int syncfs(int fd);
    [LibraryImport("libc.so.6", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    // int close(int fd);
    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Clock ticks per second of /proc/PID/stat's utime and stime.</summary>
    public static long ClockTicksPerSecond { get; } = SysConf(ScClockTicks) is > 0 and var t ? t : 100;

    /// <summary>Sends <paramref name="signal"/> to one process (ours, by PID); false when it is gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>syncfs(2) of the file system holding <paramref name="directory"/>: writes back only that mount
    /// (a global sync would also wait on other people's FUSE daemons on this machine).</summary>
    public static void SyncFileSystem(string directory)
    {
        int fd = Open(directory, ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
            throw new IOException($"open {directory}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (SyncFs(fd) != 0)
                throw new IOException($"syncfs {directory}: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
