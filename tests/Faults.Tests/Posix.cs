using System.Runtime.InteropServices;

namespace ManagedCephFuse.Faults.Tests;

/// <summary>The few system calls the workloads make on a mount, straight through libc; failures come back as
/// errno (<see cref="Errno"/>), never as exceptions, so a workload can count them.</summary>
internal static unsafe partial class Posix
{
    private const string Lib = "libc.so.6";

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_CLOEXEC = 0x80000;
    public const int EEXIST = 17, EINTR = 4, ENOSPC = 28, EDQUOT = 122;

    public static int Errno => Marshal.GetLastPInvokeError();

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode = 0x1A4);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    private static partial nint PRead(int fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PWrite(int fd, byte* buf, nuint count, long offset);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlink(string path);

    [LibraryImport(Lib, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode = 0x1ED);

    [LibraryImport(Lib, EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatRaw(string path, byte* buf);

    [LibraryImport(Lib, EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetXattrRaw(string path, string name, byte* value, nuint size, int flags);

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

    /// <summary>stat(2); the file's size, or -1 with errno set.</summary>
    public static long StatSize(string path)
    {
        // struct stat on x86-64 glibc: 144 bytes, st_size at offset 48
        byte* st = stackalloc byte[144];
        return StatRaw(path, st) == 0 ? *(long*)(st + 48) : -1;
    }

    public static int SetXattr(string path, string name, string value)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(value);
        fixed (byte* v = bytes)
            return SetXattrRaw(path, name, v, (nuint)bytes.Length, 0);
    }

    /// <summary>The symbolic name of the errno values a file system client returns under faults ("errno N" for
    /// the rest).</summary>
    public static string ErrnoName(int errno) => errno switch
    {
        0 => "wrong-result",
        1 => "EPERM",
        2 => "ENOENT",
        4 => "EINTR",
        5 => "EIO",
        9 => "EBADF",
        11 => "EAGAIN",
        13 => "EACCES",
        16 => "EBUSY",
        17 => "EEXIST",
        22 => "EINVAL",
        28 => "ENOSPC",
        30 => "EROFS",
        103 => "ECONNABORTED",
        107 => "ENOTCONN",
        108 => "ESHUTDOWN",
        110 => "ETIMEDOUT",
        116 => "ESTALE",
        122 => "EDQUOT",
        _ => $"errno {errno}",
    };
}
