using System.Runtime.InteropServices;

namespace ManagedCephFuse.CsiPlugin.Tests;

/// <summary>Raw file I/O for the tests, returning errnos exactly (EDQUOT, ENOTCONN, …).</summary>
internal static partial class FileProbe
{
    // int open(const char *pathname, int flags, mode_t mode);
    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    // ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
    [LibraryImport("libc.so.6", EntryPoint = "pwrite", SetLastError = true)]
    private static unsafe partial nint PWrite(int fd, byte* buf, nuint count, long offset);

    // int fsync(int fd);
    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    // int close(int fd);
    [LibraryImport("libc.so.6", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    private const int O_WRONLY = 1, O_CREAT = 0x40;

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> and fsyncs; 0 or the first errno.</summary>
    public static unsafe int WriteAt(string path, long offset, ReadOnlySpan<byte> data)
    {
        int fd = Open(path, O_WRONLY | O_CREAT, Convert.ToUInt32("644", 8));
        if (fd < 0)
            return Marshal.GetLastPInvokeError();
        try
        {
            fixed (byte* p = data)
            {
                if (PWrite(fd, p, (nuint)data.Length, offset) < 0)
                    return Marshal.GetLastPInvokeError();
            }
            return FSync(fd) < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            Close(fd);
        }
    }
}
