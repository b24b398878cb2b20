using System.Buffers;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

// Open files: OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC, FALLOCATE, LSEEK, COPY_FILE_RANGE, IOCTL.
internal sealed partial class MemoryFileSystem
{
    private const uint FsIocGetFlags = 0x80086601, FsIocGetVersion = 0x80087601;

    private ulong AddHandle(MemoryNode node, int flags)
    {
        ulong fh = (ulong)Interlocked.Increment(ref _nextHandle);
        _handles[fh] = new OpenFile(node, flags);
        node.Opens++;
        return fh;
    }

    public int Open(FuseRequestContext context, OpenRequest request, ref FuseOpenOut open)
    {
        lock (_tree)
        {
            MemoryNode? node = Node(request.NodeId);
            if (node is null)
                return ENOENT;
            if (node.IsDirectory && (request.Flags & OpenFlags.O_ACCMODE) != OpenFlags.O_RDONLY)
                return EISDIR;
            if (Check && !Permissions.Allowed(context, node, Permissions.MaskForOpen(request.Flags)))
                return EACCES;
            if ((request.Flags & OpenFlags.O_TRUNC) != 0 && node.IsRegular)
            {
                lock (node.Gate)
                {
                    node.Data!.Truncate(0);
                    node.Size = 0;
                    node.Mtime = node.Ctime = Timespec.Now();
                    if (request.KillSuidgid)
                        KillSuidgid(node);
                }
            }
            open.Fh = AddHandle(node, request.Flags);
            open.OpenFlags = FuseOpenOutFlags.KeepCache; // every change goes through this mount: the page cache stays valid
            return 0;
        }
    }

    public int Create(FuseRequestContext context, CreateRequest request, ref FuseEntryOut entry, ref FuseOpenOut open)
    {
        lock (_tree)
        {
            MemoryNode? dir = Node(request.Parent);
            if (dir?.Entries?.Find(request.Name) is { } existing)
            {
                if ((request.Flags & OpenFlags.O_EXCL) != 0)
                    return EEXIST;
                // The kernel thought the name was free; open what is there, as open(O_CREAT) would.
                MemoryNode node = existing.Node;
                if (node.IsDirectory)
                    return EISDIR;
                if (Check && !Permissions.Allowed(context, node, Permissions.MaskForOpen(request.Flags)))
                    return EACCES;
                if ((request.Flags & OpenFlags.O_TRUNC) != 0 && node.IsRegular)
                {
                    lock (node.Gate)
                    {
                        node.Data!.Truncate(0);
                        node.Size = 0;
                        node.Mtime = node.Ctime = Timespec.Now();
                    }
                }
                ReplyEntry(node, ref entry);
                open.Fh = AddHandle(node, request.Flags);
                open.OpenFlags = FuseOpenOutFlags.KeepCache;
                return 0;
            }
            uint mode = FileModes.S_IFREG | (request.Mode & FileModes.PermissionBits);
            int result = CreateNode(context, request.Parent, request.Name, mode, 0, out MemoryNode? created);
            if (result != 0)
                return result;
            ReplyEntry(created!, ref entry);
            open.Fh = AddHandle(created!, request.Flags);
            open.OpenFlags = FuseOpenOutFlags.KeepCache;
            return 0;
        }
    }

    public int Read(FuseRequestContext context, ReadRequest request, Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        MemoryNode node = file.Node;
        if (node.IsDirectory)
            return EISDIR;
        if (!node.IsRegular)
            return EINVAL;
        lock (node.Gate)
        {
            long available = node.Size - request.Offset;
            if (available > 0)
            {
                int count = (int)Math.Min(available, destination.Length);
                node.Data!.Read(request.Offset, destination[..count]);
                bytesRead = count;
            }
            TouchAtime(node);
        }
        return 0;
    }

    /// <summary>relatime: update atime when it is not newer than mtime/ctime, or older than a day.</summary>
    private static void TouchAtime(MemoryNode node)
    {
        if (node.Atime.CompareTo(node.Mtime) <= 0 || node.Atime.CompareTo(node.Ctime) <= 0)
            node.Atime = Timespec.Now();
        else if (Timespec.Now().Seconds - node.Atime.Seconds > 86400)
            node.Atime = Timespec.Now();
    }

    public int Write(FuseRequestContext context, WriteRequest request, out int bytesWritten)
    {
        bytesWritten = 0;
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        MemoryNode node = file.Node;
        if (!node.IsRegular)
            return EINVAL;
        lock (node.Gate)
        {
            long offset = file.Append ? node.Size : request.Offset;
            if (offset > long.MaxValue - request.Data.Length)
                return EFBIG;
            node.Data!.Write(offset, request.Data);
            node.Size = Math.Max(node.Size, offset + request.Data.Length);
            if (request.Data.Length > 0)
                node.Mtime = node.Ctime = Timespec.Now();
            if ((request.WriteFlags & FuseWriteFlags.KillSuidgid) != 0)
                KillSuidgid(node);
            bytesWritten = request.Data.Length;
        }
        return 0;
    }

    public int Flush(FuseRequestContext context, FlushRequest request)
    {
        // close(2) drops the POSIX locks its process holds on the file (the kernel leaves that to us).
        Handle(request.FileHandle)?.Node.LocksIfAny?.ReleasePosix(request.LockOwner);
        return 0;
    }

    public int Release(FuseRequestContext context, ReleaseRequest request)
    {
        if (!_handles.TryRemove(request.FileHandle, out OpenFile? file))
            return EBADF;
        if ((request.ReleaseFlags & FuseReleaseFlags.FlockUnlock) != 0)
            file.Node.LocksIfAny?.ReleaseFlock(request.LockOwner);
        lock (_tree)
        {
            file.Node.Opens--;
            Collect(file.Node);
        }
        return 0;
    }

    public int Fsync(FuseRequestContext context, FsyncRequest request) => Handle(request.FileHandle) is null ? EBADF : 0;

    public int Fallocate(FuseRequestContext context, FallocateRequest request)
    {
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        MemoryNode node = file.Node;
        if (!node.IsRegular)
            return ENODEV;
        if (request.Offset < 0 || request.Length <= 0)
            return EINVAL;
        if (request.Offset > long.MaxValue - request.Length)
            return EFBIG;
        const int keepSize = OpenFlags.FALLOC_FL_KEEP_SIZE, punch = OpenFlags.FALLOC_FL_PUNCH_HOLE, zero = OpenFlags.FALLOC_FL_ZERO_RANGE;
        int mode = request.Mode;
        long end = request.Offset + request.Length;
        lock (node.Gate)
        {
            Timespec now = Timespec.Now();
            if (mode == (punch | keepSize))
            {
                if (request.Offset < node.Size)
                    node.Data!.PunchHole(request.Offset, Math.Min(end, node.Size) - request.Offset);
                node.Mtime = node.Ctime = now;
                return 0;
            }
            if (mode is zero or (zero | keepSize))
            {
                long zeroEnd = (mode & keepSize) != 0 ? Math.Min(end, Math.Max(node.Size, request.Offset)) : end;
                if (zeroEnd > request.Offset)
                    node.Data!.Zero(request.Offset, zeroEnd - request.Offset);
                if ((mode & keepSize) == 0 && end > node.Size)
                    node.Size = end;
                node.Mtime = node.Ctime = now;
                return 0;
            }
            if (mode is 0 or keepSize)
            {
                node.Data!.Allocate(request.Offset, request.Length);
                if (mode == 0 && end > node.Size)
                {
                    node.Size = end;
                    node.Ctime = now;
                }
                return 0;
            }
            return EOPNOTSUPP; // collapse, insert, unshare
        }
    }

    public int Lseek(FuseRequestContext context, LseekRequest request, out long offset)
    {
        offset = 0;
        OpenFile? file = Handle(request.FileHandle);
        if (file is null)
            return EBADF;
        MemoryNode node = file.Node;
        lock (node.Gate)
        {
            if (request.Offset < 0)
                return EINVAL;
            long found = request.Whence switch
            {
                OpenFlags.SEEK_DATA => node.IsRegular ? node.Data!.NextData(request.Offset, node.Size) : -1,
                OpenFlags.SEEK_HOLE => node.IsRegular ? node.Data!.NextHole(request.Offset, node.Size) : (request.Offset < node.Size ? node.Size : -1),
                _ => -2,
            };
            if (found == -2)
                return EINVAL;
            if (found < 0)
                return ENXIO;
            offset = found;
            return 0;
        }
    }

    public int CopyFileRange(FuseRequestContext context, CopyFileRangeRequest request, out long bytesCopied)
    {
        bytesCopied = 0;
        OpenFile? input = Handle(request.FileHandleIn), output = Handle(request.FileHandleOut);
        if (input is null || output is null)
            return EBADF;
        if (request.Flags != 0)
            return EINVAL;
        MemoryNode from = input.Node, to = output.Node;
        if (!from.IsRegular || !to.IsRegular)
            return from.IsDirectory || to.IsDirectory ? EISDIR : EINVAL;
        if (request.OffsetIn < 0 || request.OffsetOut < 0)
            return EINVAL;
        // Lock both in inode order so two opposite copies cannot deadlock.
        MemoryNode first = from.Ino <= to.Ino ? from : to, second = first == from ? to : from;
        lock (first.Gate)
        lock (second.Gate)
        {
            long length = Math.Min(request.Length, Math.Max(0, from.Size - request.OffsetIn));
            if (length <= 0)
                return 0;
            if (from == to && request.OffsetIn < request.OffsetOut + length && request.OffsetOut < request.OffsetIn + length)
                return EINVAL; // overlapping ranges of one file
            if (request.OffsetOut > long.MaxValue - length)
                return EFBIG;
            byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                long done = 0;
                while (done < length)
                {
                    int count = (int)Math.Min(chunk.Length, length - done);
                    from.Data!.Read(request.OffsetIn + done, chunk.AsSpan(0, count));
                    to.Data!.Write(request.OffsetOut + done, chunk.AsSpan(0, count));
                    done += count;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            to.Size = Math.Max(to.Size, request.OffsetOut + length);
            to.Mtime = to.Ctime = Timespec.Now();
            bytesCopied = length;
            return 0;
        }
    }

    public int Ioctl(FuseRequestContext context, IoctlRequest request, Span<byte> output, out int result, out int outputLength)
    {
        result = 0;
        outputLength = 0;
        if (Handle(request.FileHandle) is null)
            return EBADF;
        switch (request.Command)
        {
            case FsIocGetFlags: // lsattr: no inode flags here
            case FsIocGetVersion: // the inode generation (always 0)
                // The numbers say "long", but the kernel ABI (ext4, tmpfs) writes an int: writing 8 bytes would
                // overflow callers that pass an int, as lsattr -v does.
                int size = Math.Min(output.Length, sizeof(int));
                output[..size].Clear();
                outputLength = size;
                return 0;
            default:
                return ENOTTY;
        }
    }
}
