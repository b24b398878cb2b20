using System.Runtime.InteropServices;
using System.Text;
using ManagedCephFuse.CephClient;

namespace ManagedCephFuse.FuseFs.Tests.CephFs.Support;

/// <summary>struct stat (x86-64 glibc, 144 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Stat
{
    public ulong Dev;
    public ulong Ino;
    public ulong Nlink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    private int _pad0;
    public ulong Rdev;
    public long Size;
    public long Blksize;
    public long Blocks;
    public long Atime;
    public long AtimeNsec;
    public long Mtime;
    public long MtimeNsec;
    public long Ctime;
    public long CtimeNsec;
    private long _reserved0, _reserved1, _reserved2;
}

/// <summary>struct flock (x86-64, 32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FLock
{
    public short Type;
    public short Whence;
    public long Start;
    public long Len;
    public int Pid;
}

/// <summary>The system calls the CephFS tests make on a mount, straight through libc; errors come back as errno.</summary>
internal static unsafe partial class Sys
{
    private const string Lib = "libc.so.6";

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
        O_APPEND = 0x400, O_DIRECTORY = 0x10000, O_DIRECT = 0x4000;
    public const int SEEK_SET = 0, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
    public const int F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7;
    public const short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    public const uint RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;
    public const int AT_FDCWD = -100;
    public const int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;
    public const int SIGKILL = 9, SIGTERM = 15, SIGINT = 2;
    public const uint S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFREG = 0x8000, S_IFSOCK = 0xC000;

    public static int Errno => Marshal.GetLastPInvokeError();

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode = 0x1A4);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    private static partial nint PRead(int fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PWrite(int fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteRaw(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int Fdatasync(int fd);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Lib, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int cmd, FLock* lk);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argp);

    [LibraryImport(Lib, EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatRaw(string path, Stat* st);

    [LibraryImport(Lib, EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LstatRaw(string path, Stat* st);

    [LibraryImport(Lib, EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatVfsRaw(string path, StatVfs* st);

    [LibraryImport(Lib, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport(Lib, EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRangeRaw(int fdIn, long* offIn, int fdOut, long* offOut, nuint len, uint flags);

    [LibraryImport(Lib, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mknod(string path, uint mode, ulong dev);

    [LibraryImport(Lib, EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rmdir(string path);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldpath, string newpath);

    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint uid, uint gid);

    [LibraryImport(Lib, EntryPoint = "truncate", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Truncate(string path, long length);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatRaw(int dirfd, string path, long* times, int flags);

    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    [LibraryImport(Lib, EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetXattrRaw(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetXattrRaw(string path, string name, byte* value, nuint size);

    [LibraryImport(Lib, EntryPoint = "listxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ListXattrRaw(string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "removexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RemoveXattr(string path, string name);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    public const int MNT_DETACH = 2;

    /// <summary>Throws with the errno when a call failed (returned -1).</summary>
    public static int Check(int result, string what) =>
        result < 0 ? throw new IOException($"{what}: errno {Errno} ({ManagedCephFuse.CephClient.Errno.Name(Errno)})") : result;

    public static long Check(long result, string what) =>
        result < 0 ? throw new IOException($"{what}: errno {Errno} ({ManagedCephFuse.CephClient.Errno.Name(Errno)})") : result;

    public static int PRead(int fd, Span<byte> buffer, long offset)
    {
        fixed (byte* b = buffer)
            return (int)PRead(fd, b, (nuint)buffer.Length, offset);
    }

    public static int PWrite(int fd, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* b = data)
            return (int)PWrite(fd, b, (nuint)data.Length, offset);
    }

    public static int Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* b = data)
            return (int)WriteRaw(fd, b, (nuint)data.Length);
    }

    /// <summary>fcntl F_GETLK/F_SETLK/F_SETLKW.</summary>
    public static int Lock(int fd, int cmd, ref FLock lk)
    {
        fixed (FLock* l = &lk)
            return FcntlLock(fd, cmd, l);
    }

    public static FLock WholeFile(short type) => new() { Type = type, Whence = SEEK_SET, Start = 0, Len = 0 };

    public static int Stat(string path, out Stat st)
    {
        fixed (Stat* s = &st)
            return StatRaw(path, s);
    }

    public static int Lstat(string path, out Stat st)
    {
        fixed (Stat* s = &st)
            return LstatRaw(path, s);
    }

    public static Stat StatOrThrow(string path)
    {
        Check(Stat(path, out Stat st), $"stat {path}");
        return st;
    }

    /// <summary>The errno of stat(path), 0 when it succeeds.</summary>
    public static int StatErrno(string path) => Stat(path, out _) == 0 ? 0 : Errno;

    public static StatVfs StatVfs(string path)
    {
        StatVfs st;
        Check(StatVfsRaw(path, &st), $"statvfs {path}");
        return st;
    }

    public static long CopyFileRange(int fdIn, long offIn, int fdOut, long offOut, long length)
    {
        return CopyFileRangeRaw(fdIn, &offIn, fdOut, &offOut, (nuint)length, 0);
    }

    public static int Utimens(string path, (long Sec, long Nsec) atime, (long Sec, long Nsec) mtime)
    {
        long* times = stackalloc long[4] { atime.Sec, atime.Nsec, mtime.Sec, mtime.Nsec };
        return UtimensatRaw(AT_FDCWD, path, times, 0);
    }

    public static int SetXattr(string path, string name, ReadOnlySpan<byte> value, int flags = 0)
    {
        byte dummy = 0;
        fixed (byte* v = value)
            return SetXattrRaw(path, name, v == null ? &dummy : v, (nuint)value.Length, flags);
    }

    /// <summary>The value, or null with the errno in <paramref name="errno"/>.</summary>
    public static byte[]? GetXattr(string path, string name, out int errno)
    {
        errno = 0;
        nint size = GetXattrRaw(path, name, null, 0);
        if (size < 0)
        {
            errno = Errno;
            return null;
        }
        var value = new byte[size];
        fixed (byte* v = value)
            size = GetXattrRaw(path, name, v, (nuint)value.Length);
        if (size < 0)
        {
            errno = Errno;
            return null;
        }
        return value.AsSpan(0, (int)size).ToArray();
    }

    public static string? GetXattrText(string path, string name) =>
        GetXattr(path, name, out _) is { } v ? Encoding.UTF8.GetString(v) : null;

    /// <summary>getxattr into a buffer of exactly <paramref name="size"/> bytes: the result or -errno.</summary>
    public static long GetXattrSized(string path, string name, int size)
    {
        var buffer = new byte[Math.Max(size, 1)];
        fixed (byte* b = buffer)
        {
            nint r = GetXattrRaw(path, name, size == 0 ? null : b, (nuint)size);
            return r < 0 ? -Errno : r;
        }
    }

    public static string[] ListXattr(string path)
    {
        nint size = ListXattrRaw(path, null, 0);
        Check(size, $"listxattr {path}");
        var list = new byte[size];
        fixed (byte* l = list)
            size = ListXattrRaw(path, l, (nuint)list.Length);
        Check(size, $"listxattr {path}");
        return Encoding.UTF8.GetString(list, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
