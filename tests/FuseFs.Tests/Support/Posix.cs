using System.Runtime.InteropServices;
using System.Text;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>The system calls the integration tests make on a mount, through libc. Errors come back as errno.</summary>
internal static unsafe partial class Posix
{
    private const string Lib = "libc.so.6";

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
        O_APPEND = 0x400, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_DIRECT = 0x4000;
    public const int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
    public const int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;
    public const int F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7;
    public const short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    public const uint RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    public const long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;
    public const int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    public const uint STATX_BASIC_STATS = 0x7FF, STATX_BTIME = 0x800;

    public static int Errno => Marshal.GetLastPInvokeError();

    // int open(const char *pathname, int flags, mode_t mode);
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode = 0x1A4);

    // int close(int fd);
    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // ssize_t pread(int fd, void *buf, size_t count, off_t offset);
    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    private static partial nint PRead(int fd, byte* buf, nuint count, long offset);

    // ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PWrite(int fd, byte* buf, nuint count, long offset);

    // ssize_t read(int fd, void *buf, size_t count);
    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadRaw(int fd, byte* buf, nuint count);

    // ssize_t write(int fd, const void *buf, size_t count);
    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteRaw(int fd, byte* buf, nuint count);

    // int ftruncate(int fd, off_t length);
    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    // int truncate(const char *path, off_t length);
    [LibraryImport(Lib, EntryPoint = "truncate", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Truncate(string path, long length);

    // int fallocate(int fd, int mode, off_t offset, off_t len);
    [LibraryImport(Lib, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);

    // off_t lseek(int fd, off_t offset, int whence);
    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    // ssize_t copy_file_range(int fd_in, off_t *off_in, int fd_out, off_t *off_out, size_t len, unsigned int flags);
    [LibraryImport(Lib, EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRangeRaw(int fdIn, long* offIn, int fdOut, long* offOut, nuint len, uint flags);

    // int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
    [LibraryImport(Lib, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    // int rename(const char *oldpath, const char *newpath);
    [LibraryImport(Lib, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string oldPath, string newPath);

    // int link(const char *oldpath, const char *newpath);
    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldPath, string newPath);

    // int symlink(const char *target, const char *linkpath);
    [LibraryImport(Lib, EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Symlink(string target, string linkPath);

    // ssize_t readlink(const char *pathname, char *buf, size_t bufsiz);
    [LibraryImport(Lib, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadlinkRaw(string path, byte* buf, nuint size);

    // int unlink(const char *pathname); int rmdir(const char *pathname); int mkdir(const char *pathname, mode_t mode);
    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rmdir(string path);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    // int mknod(const char *pathname, mode_t mode, dev_t dev);
    [LibraryImport(Lib, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mknod(string path, uint mode, ulong dev);

    // int setxattr(const char *path, const char *name, const void *value, size_t size, int flags);
    [LibraryImport(Lib, EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetxattrRaw(string path, string name, byte* value, nuint size, int flags);

    // ssize_t getxattr(const char *path, const char *name, void *value, size_t size);
    [LibraryImport(Lib, EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetxattrRaw(string path, string name, byte* value, nuint size);

    // ssize_t listxattr(const char *path, char *list, size_t size);
    [LibraryImport(Lib, EntryPoint = "listxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ListxattrRaw(string path, byte* list, nuint size);

    // int removexattr(const char *path, const char *name);
    [LibraryImport(Lib, EntryPoint = "removexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Removexattr(string path, string name);

    // int fcntl(int fd, int cmd, struct flock *lock);
    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int cmd, Flock* lk);

    // int flock(int fd, int operation);
    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int FlockFile(int fd, int operation);

    // int chmod(const char *pathname, mode_t mode); int chown(const char *pathname, uid_t owner, gid_t group);
    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint uid, uint gid);

    // int utimensat(int dirfd, const char *pathname, const struct timespec times[2], int flags);
    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatRaw(int dirFd, string path, Timespec* times, int flags);

    // int statfs(const char *path, struct statfs *buf);
    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatfsRaw(string path, StatfsBuf* buf);

    // int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf);
    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxRaw(int dirFd, string path, int flags, uint mask, Statx* buf);

    // int access(const char *pathname, int mode);
    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    // int fsync(int fd);
    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    // int umount2(const char *target, int flags);
    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); int munmap(void *addr, size_t length); int msync(void*, size_t, int)
    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "msync", SetLastError = true)]
    public static partial int Msync(nint addr, nuint length, int flags);

    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MS_SYNC = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Len;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatfsBuf
    {
        public long Type;
        public long Bsize;
        public ulong Blocks;
        public ulong Bfree;
        public ulong Bavail;
        public ulong Files;
        public ulong Ffree;
        public long Fsid;
        public long Namelen;
        public long Frsize;
        public long Flags;
        public fixed long Spare[4];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Sec;
        public uint Nsec;
        public int Reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint Mask;
        public uint Blksize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp Atime;
        public StatxTimestamp Btime;
        public StatxTimestamp Ctime;
        public StatxTimestamp Mtime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        public fixed ulong Spare2[14];
    }

    /// <summary>Throws with the errno name when <paramref name="result"/> is −1.</summary>
    public static long Check(long result, string what)
    {
        if (result < 0)
            throw new IOException($"{what}: {ManagedCephFuse.CephClient.Errno.Name(Errno)}");
        return result;
    }

    /// <summary>0 when <paramref name="result"/> ≥ 0, else the errno.</summary>
    public static int ErrorOf(long result) => result >= 0 ? 0 : Errno;

    public static int PRead(int fd, Span<byte> buffer, long offset)
    {
        fixed (byte* p = buffer)
            return (int)PRead(fd, p, (nuint)buffer.Length, offset);
    }

    public static int PWrite(int fd, ReadOnlySpan<byte> buffer, long offset)
    {
        fixed (byte* p = buffer)
            return (int)PWrite(fd, p, (nuint)buffer.Length, offset);
    }

    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
            return (int)ReadRaw(fd, p, (nuint)buffer.Length);
    }

    public static int Write(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
            return (int)WriteRaw(fd, p, (nuint)buffer.Length);
    }

    /// <summary>Writes everything (looping over short writes).</summary>
    public static void PWriteAll(int fd, ReadOnlySpan<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int n = PWrite(fd, buffer, offset);
            Check(n, "pwrite");
            buffer = buffer[n..];
            offset += n;
        }
    }

    /// <summary>Reads until the buffer is full or end of file; returns the count.</summary>
    public static int PReadAll(int fd, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = PRead(fd, buffer[total..], offset + total);
            Check(n, "pread");
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    public static long CopyFileRange(int fdIn, long offIn, int fdOut, long offOut, long length)
    {
        long inOffset = offIn, outOffset = offOut;
        return CopyFileRangeRaw(fdIn, &inOffset, fdOut, &outOffset, (nuint)length, 0);
    }

    public static string? ReadLink(string path)
    {
        byte* buffer = stackalloc byte[4096];
        nint n = ReadlinkRaw(path, buffer, 4096);
        return n < 0 ? null : Encoding.UTF8.GetString(buffer, (int)n);
    }

    public static int SetXattr(string path, string name, ReadOnlySpan<byte> value, int flags = 0)
    {
        fixed (byte* p = value)
            return SetxattrRaw(path, name, p, (nuint)value.Length, flags);
    }

    /// <summary>getxattr with a buffer of <paramref name="size"/> bytes (0 asks for the size): the length or −1.</summary>
    public static long GetXattr(string path, string name, Span<byte> value)
    {
        fixed (byte* p = value)
            return GetxattrRaw(path, name, value.IsEmpty ? null : p, (nuint)value.Length);
    }

    public static long ListXattr(string path, Span<byte> list)
    {
        fixed (byte* p = list)
            return ListxattrRaw(path, list.IsEmpty ? null : p, (nuint)list.Length);
    }

    public static int Fcntl(int fd, int command, ref Flock lk)
    {
        fixed (Flock* p = &lk)
            return FcntlLock(fd, command, p);
    }

    public static int Utimensat(string path, Timespec atime, Timespec mtime, int flags = 0)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = atime;
        times[1] = mtime;
        return UtimensatRaw(AT_FDCWD, path, times, flags);
    }

    public static int StatFs(string path, out StatfsBuf buf)
    {
        fixed (StatfsBuf* p = &buf)
            return StatfsRaw(path, p);
    }

    public static int StatX(string path, out Statx buf, uint mask = STATX_BASIC_STATS | STATX_BTIME, int flags = AT_SYMLINK_NOFOLLOW)
    {
        fixed (Statx* p = &buf)
            return StatxRaw(AT_FDCWD, path, flags, mask, p);
    }

    public static Statx Stat(string path)
    {
        Check(StatX(path, out Statx buf), $"statx {path}");
        return buf;
    }
}
