using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Kernel.Interop;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>
/// One open <c>/dev/fuse</c> descriptor: the mount's own (the "master") or a clone bound to the same connection
/// with FUSE_DEV_IOC_CLONE. A reply must go to the descriptor its request was read from.
/// </summary>
internal sealed unsafe class FuseDevice : IFuseChannel
{
    private int _fd;

    public FuseDevice(int fd) => _fd = fd;

    public int Fd => _fd;

    /// <summary>Opens <c>/dev/fuse</c> (close-on-exec).</summary>
    public static FuseDevice Open()
    {
        int fd = LibC.Open("/dev/fuse", LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"open /dev/fuse: {ErrnoText(LibC.LastErrno)}");
        return new FuseDevice(fd);
    }

    /// <summary>A new descriptor on the same connection, with its own processing queue (FUSE_DEV_IOC_CLONE).</summary>
    public FuseDevice Clone()
    {
        var clone = Open();
        uint master = (uint)_fd;
        if (LibC.Ioctl(clone._fd, FuseProtocol.DevIocClone, &master) != 0)
        {
            int errno = LibC.LastErrno;
            clone.Dispose();
            throw new IOException($"ioctl FUSE_DEV_IOC_CLONE: {ErrnoText(errno)}");
        }
        return clone;
    }

    /// <summary>Reads one request: the byte count, or −errno (EINTR/EAGAIN/ENOENT: retry; ENODEV: unmounted).</summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = LibC.Read(_fd, p, (nuint)buffer.Length);
            return n >= 0 ? (int)n : -LibC.LastErrno;
        }
    }

    /// <summary>Writes one reply or notification: 0, or −errno (ENOENT: the requester is gone).</summary>
    public int Write(ReadOnlySpan<byte> message)
    {
        fixed (byte* p = message)
        {
            nint n = LibC.Write(_fd, p, (nuint)message.Length);
            return n >= 0 ? 0 : -LibC.LastErrno;
        }
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            LibC.Close(fd);
    }

    internal static string ErrnoText(int errno) =>
        $"{ManagedCephFuse.CephClient.Errno.Name(errno)} ({ManagedCephFuse.CephClient.Errno.Message(errno)})";
}
