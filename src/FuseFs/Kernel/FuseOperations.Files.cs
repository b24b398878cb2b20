using System.Runtime.CompilerServices;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Kernel;

// Open-file operations: OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC, FALLOCATE, LSEEK, COPY_FILE_RANGE(_64),
// IOCTL, GETLK, SETLK, SETLKW.
internal static partial class FuseOperations
{
    public static int Open(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseOpenIn open = ref In<FuseOpenIn>(argument);
        ref FuseOpenOut reply = ref worker.ReplyAs<FuseOpenOut>();
        var request = new OpenRequest(header.NodeId, (int)open.Flags, (open.OpenFlags & FuseOpenInFlags.KillSuidgid) != 0);
        int result = worker.FileSystem.Open(worker.Context, request, ref reply);
        return result != 0 ? result : Sized<FuseOpenOut>(out replyLength);
    }

    public static int Create(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        FuseCreateIn create = In<FuseCreateIn>(argument);
        argument = argument[Unsafe.SizeOf<FuseCreateIn>()..];
        if (TakeName(ref argument, out var name) is int bad and not 0)
            return bad;
        worker.Context.Umask = create.Umask;
        Span<byte> payload = worker.ReplyPayload[..(Unsafe.SizeOf<FuseEntryOut>() + Unsafe.SizeOf<FuseOpenOut>())];
        payload.Clear();
        ref FuseEntryOut entry = ref Unsafe.As<byte, FuseEntryOut>(ref payload[0]);
        ref FuseOpenOut open = ref Unsafe.As<byte, FuseOpenOut>(ref payload[Unsafe.SizeOf<FuseEntryOut>()]);
        var request = new CreateRequest(header.NodeId, name, create.Mode, (int)create.Flags, (create.OpenFlags & FuseOpenInFlags.KillSuidgid) != 0);
        int result = worker.FileSystem.Create(worker.Context, request, ref entry, ref open);
        if (result != 0)
            return result;
        replyLength = payload.Length;
        return 0;
    }

    public static int Read(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseReadIn read = ref In<FuseReadIn>(argument);
        Span<byte> destination = worker.ReplyPayload;
        if (read.Size < (uint)destination.Length)
            destination = destination[..(int)read.Size];
        if (read.Offset > long.MaxValue)
            return EINVAL;
        ulong? owner = (read.ReadFlags & FuseReadFlags.LockOwner) != 0 ? read.LockOwner : null;
        var request = new ReadRequest(header.NodeId, read.Fh, (long)read.Offset, destination.Length, (int)read.Flags, owner);
        int result = worker.FileSystem.Read(worker.Context, request, destination, out int bytesRead);
        if (result != 0)
            return result;
        if ((uint)bytesRead > (uint)destination.Length)
            return EIO;
        replyLength = bytesRead;
        return 0;
    }

    public static int Write(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        FuseWriteIn write = In<FuseWriteIn>(argument);
        ReadOnlySpan<byte> data = argument[Unsafe.SizeOf<FuseWriteIn>()..];
        if (write.Size > (uint)data.Length || write.Offset > long.MaxValue)
            return EINVAL;
        data = data[..(int)write.Size];
        ulong? owner = (write.WriteFlags & FuseWriteFlags.LockOwner) != 0 ? write.LockOwner : null;
        var request = new WriteRequest(header.NodeId, write.Fh, (long)write.Offset, data, write.WriteFlags, (int)write.Flags, owner);
        int result = worker.FileSystem.Write(worker.Context, request, out int written);
        if (result != 0)
            return result;
        if ((uint)written > (uint)data.Length)
            return EIO;
        worker.ReplyAs<FuseWriteOut>().Size = (uint)written;
        return Sized<FuseWriteOut>(out replyLength);
    }

    public static int Flush(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseFlushIn flush = ref In<FuseFlushIn>(argument);
        return worker.FileSystem.Flush(worker.Context, new FlushRequest(header.NodeId, flush.Fh, flush.LockOwner));
    }

    public static int Release(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseReleaseIn release = ref In<FuseReleaseIn>(argument);
        var request = new ReleaseRequest(header.NodeId, release.Fh, (int)release.Flags, release.ReleaseFlags, release.LockOwner);
        return worker.FileSystem.Release(worker.Context, request);
    }

    public static int Fsync(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseFsyncIn fsync = ref In<FuseFsyncIn>(argument);
        bool dataOnly = (fsync.FsyncFlags & FuseFsyncFlags.Fdatasync) != 0;
        return worker.FileSystem.Fsync(worker.Context, new FsyncRequest(header.NodeId, fsync.Fh, dataOnly));
    }

    public static int Fallocate(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseFallocateIn fallocate = ref In<FuseFallocateIn>(argument);
        if (fallocate.Offset > long.MaxValue || fallocate.Length > long.MaxValue)
            return EINVAL;
        var request = new FallocateRequest(header.NodeId, fallocate.Fh, (long)fallocate.Offset, (long)fallocate.Length, (int)fallocate.Mode);
        return worker.FileSystem.Fallocate(worker.Context, request);
    }

    public static int Lseek(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseLseekIn lseek = ref In<FuseLseekIn>(argument);
        if (lseek.Offset > long.MaxValue)
            return ENXIO;
        int result = worker.FileSystem.Lseek(worker.Context, new LseekRequest(header.NodeId, lseek.Fh, (long)lseek.Offset, (int)lseek.Whence), out long offset);
        if (result != 0)
            return result;
        if (offset < 0)
            return EIO;
        worker.ReplyAs<FuseLseekOut>().Offset = (ulong)offset;
        return Sized<FuseLseekOut>(out replyLength);
    }

    public static int CopyFileRange(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        // The 32-bit reply (fuse_write_out.size) bounds one call; the kernel loops for more.
        int result = CopyFileRangeCore(worker, in header, argument, uint.MaxValue & ~4095u, out long copied);
        if (result != 0)
            return result;
        worker.ReplyAs<FuseWriteOut>().Size = (uint)copied;
        return Sized<FuseWriteOut>(out replyLength);
    }

    public static int CopyFileRange64(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        int result = CopyFileRangeCore(worker, in header, argument, long.MaxValue, out long copied);
        if (result != 0)
            return result;
        worker.ReplyAs<FuseCopyFileRangeOut>().BytesCopied = (ulong)copied;
        return Sized<FuseCopyFileRangeOut>(out replyLength);
    }

    private static int CopyFileRangeCore(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, long limit, out long copied)
    {
        copied = 0;
        ref readonly FuseCopyFileRangeIn copy = ref In<FuseCopyFileRangeIn>(argument);
        if (copy.OffIn > long.MaxValue || copy.OffOut > long.MaxValue)
            return EINVAL;
        long length = (long)Math.Min(copy.Len, (ulong)limit);
        var request = new CopyFileRangeRequest(header.NodeId, copy.FhIn, (long)copy.OffIn, copy.NodeIdOut, copy.FhOut, (long)copy.OffOut, length, copy.Flags);
        int result = worker.FileSystem.CopyFileRange(worker.Context, request, out copied);
        if (result == 0 && (copied < 0 || copied > length))
            return EIO;
        return result;
    }

    public static int Ioctl(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        FuseIoctlIn ioctl = In<FuseIoctlIn>(argument);
        if ((ioctl.Flags & (FuseIoctlFlags.Unrestricted | FuseIoctlFlags.Compat)) != 0)
            return ENOSYS; // only well-formed, native ioctls (as ceph-fuse)
        ReadOnlySpan<byte> input = argument[Unsafe.SizeOf<FuseIoctlIn>()..];
        if (ioctl.InSize > (uint)input.Length)
            return EINVAL;
        input = input[..(int)ioctl.InSize];
        int outHeader = Unsafe.SizeOf<FuseIoctlOut>();
        Span<byte> output = worker.ReplyPayload[outHeader..];
        if (ioctl.OutSize < (uint)output.Length)
            output = output[..(int)ioctl.OutSize];
        var request = new IoctlRequest(header.NodeId, ioctl.Fh, ioctl.Flags, ioctl.Cmd, ioctl.Arg, input, output.Length);
        int result = worker.FileSystem.Ioctl(worker.Context, request, output, out int ioctlResult, out int outputLength);
        if (result != 0)
            return result;
        if ((uint)outputLength > (uint)output.Length)
            return EIO;
        worker.ReplyAs<FuseIoctlOut>().Result = ioctlResult;
        replyLength = outHeader + outputLength;
        return 0;
    }

    public static int GetLk(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseLkIn lk = ref In<FuseLkIn>(argument);
        ref FuseLkOut reply = ref worker.ReplyAs<FuseLkOut>();
        int result = worker.FileSystem.GetLk(worker.Context, new GetLkRequest(header.NodeId, lk.Fh, lk.Owner, in lk.Lk), ref reply.Lk);
        return result != 0 ? result : Sized<FuseLkOut>(out replyLength);
    }

    public static int SetLk(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength) =>
        SetLkCore(worker, in header, argument, wait: false, out replyLength);

    public static int SetLkW(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, out int replyLength) =>
        SetLkCore(worker, in header, argument, wait: true, out replyLength);

    private static int SetLkCore(FuseWorker worker, in FuseInHeader header, ReadOnlySpan<byte> argument, bool wait, out int replyLength)
    {
        replyLength = 0;
        ref readonly FuseLkIn lk = ref In<FuseLkIn>(argument);
        bool flock = (lk.LkFlags & FuseLkFlags.Flock) != 0;
        if (lk.Lk.Type > OpenFlags.F_UNLCK)
            return EINVAL;
        return worker.FileSystem.SetLk(worker.Context, new SetLkRequest(header.NodeId, lk.Fh, lk.Owner, in lk.Lk, flock, wait));
    }
}
