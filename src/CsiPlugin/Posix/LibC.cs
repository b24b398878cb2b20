using System.Runtime.InteropServices;

namespace ManagedCephFuse.CsiPlugin.Posix;

/// <summary>The few libc calls the node side needs (each mirrors the glibc signature quoted above it).</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int WNOHANG = 1;
    public const int SIGTERM = 15;

    /// <summary>struct statfs on x86-64/aarch64 Linux (all fields are 64-bit words).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatFs
    {
        public long f_type;
        public long f_bsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public long f_fsid;
        public long f_namelen;
        public long f_frsize;
        public long f_flags;
        public fixed long f_spare[4];
    }

    // int statfs(const char *path, struct statfs *buf);
    [LibraryImport(Library, EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Statfs(string path, out StatFs buf);

    // int stat(const char *restrict pathname, struct stat *restrict statbuf);   (buffer only: we want the errno)
    [LibraryImport(Library, EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Stat(string path, byte* statbuf);

    // int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    // pid_t waitpid(pid_t pid, int *wstatus, int options);
    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    // int kill(pid_t pid, int sig);
    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    // mode_t umask(mode_t mask);
    [LibraryImport(Library, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary>0 when <paramref name="path"/> can be stat'ed, the errno otherwise (ENOTCONN for a dead FUSE mount).</summary>
    public static int StatErrno(string path)
    {
        byte* buffer = stackalloc byte[256]; // struct stat is 144 bytes on x86-64
        return Stat(path, buffer) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
