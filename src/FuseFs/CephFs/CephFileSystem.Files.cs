using System.Buffers;
using System.Buffers.Binary;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;
using CephOpenFlags = ManagedCephFuse.CephClient.OpenFlags;
using Posix = ManagedCephFuse.FuseFs.Kernel.OpenFlags;

namespace ManagedCephFuse.FuseFs.CephFs;

// Open files: OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC, FALLOCATE, LSEEK, COPY_FILE_RANGE, IOCTL.
internal sealed partial class CephFileSystem
{
    /// <summary>open(2) flags libcephfs acts on; the kernel already handled the rest (O_CREAT/O_EXCL come only
    /// with CREATE).</summary>
    private const int PassedOpenFlags = Posix.O_ACCMODE | Posix.O_TRUNC | Posix.O_APPEND | Posix.O_DIRECT | 0x101000 /* O_SYNC */ | 0x1000 /* O_DSYNC */;

    /// <summary>_IOR(0x97, 1, struct ceph_ioctl_layout): the file's layout (ceph's ioctl.h).</summary>
    private const uint CephIocGetLayout = 0x80289701;
    /// <summary>FS_IOC_GETFLAGS (and its 32-bit twin): inode flags (chattr); CephFS has none.</summary>
    private const uint FsIocGetFlags = 0x80086601, FsIoc32GetFlags = 0x80046601;
    private const int CephIoctlLayoutSize = 40;

    /// <summary>COPY_FILE_RANGE moves data through the daemon in pieces of this size.</summary>
    private const int CopyChunk = 1 << 20;

    public int Open(FuseRequestContext context, OpenRequest request, ref FuseOpenOut open)
    {
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.Open(inode, (CephOpenFlags)(request.Flags & PassedOpenFlags), out FhPtr fh, perms.Ptr);
        if (r < 0)
            return Fail(r);
        if (request.KillSuidgid)
            KillSuidgid(inode);
        open.Fh = _files.Add(new FileHandle(fh, inode, request.NodeId, request.Flags));
        open.OpenFlags = OpenFlagsFor(request.Flags);
        return 0;
    }

    public int Create(FuseRequestContext context, CreateRequest request, ref FuseEntryOut entry, ref FuseOpenOut open)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        Invalidator.SetUmask(context.Umask);
        int flags = request.Flags & (PassedOpenFlags | Posix.O_CREAT | Posix.O_EXCL);
        int r = _ceph.Create(parent, request.Name, request.Mode, (CephOpenFlags)flags, out InodePtr inode, out FhPtr fh,
            out CephStatx attr, AttrWant, AtFlags.None, perms.Ptr);
        if (r < 0)
            return Fail(r);
        r = ReplyEntry(inode, attr, ref entry);
        if (r != 0)
        {
            _ceph.Close(fh);
            return r;
        }
        open.Fh = _files.Add(new FileHandle(fh, inode, entry.NodeId, request.Flags));
        open.OpenFlags = OpenFlagsFor(request.Flags);
        return 0;
    }

    /// <summary>
    /// How the kernel caches an open file. Its page cache is kept coherent by NOTIFY_INVAL_INODE when libcephfs
    /// loses the Fc cap; without KEEP_CACHE the kernel also drops it at each open, which gives close-to-open
    /// consistency even while several clients write (then nobody holds Fc and no invalidation comes).
    /// O_APPEND bypasses the page cache: libcephfs appends at the size it knows from the MDS, which may be
    /// past the kernel's, and the kernel's copy of the file would otherwise hold the data at the wrong place.
    /// </summary>
    private FuseOpenOutFlags OpenFlagsFor(int flags) =>
        _options.DisablePageCache || (flags & Posix.O_APPEND) != 0 ? FuseOpenOutFlags.DirectIo : FuseOpenOutFlags.None;

    private void KillSuidgid(InodePtr inode)
    {
        // HANDLE_KILLPRIV_V2: an O_TRUNC open by someone without CAP_FSETID clears set-user/group-ID.
        if (_ceph.GetAttr(inode, out CephStatx st, StatxMask.Mode, AtFlags.None, _mount.DefaultPerms) == 0 &&
            (st.Mode & (FileModes.S_ISUID | FileModes.S_ISGID)) != 0)
        {
            _ceph.SetAttr(inode, default, SetAttrMask.KillSguid, _mount.DefaultPerms);
        }
    }

    public int Read(FuseRequestContext context, ReadRequest request, Span<byte> destination, out int bytesRead)
    {
        bytesRead = 0;
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        int r = _ceph.Read(file.Fh, request.Offset, destination);
        if (r < 0)
            return Fail(r);
        bytesRead = r;
        return 0;
    }

    public int Write(FuseRequestContext context, WriteRequest request, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        // libcephfs clears set-user/group-ID itself on a write (FUSE_WRITE_KILL_SUIDGID needs nothing more);
        // past a quota it answers EDQUOT.
        int r = _ceph.Write(file.Fh, request.Offset, request.Data);
        if (r < 0)
            return Fail(r);
        bytesWritten = r;
        return 0;
    }

    /// <summary>
    /// FLUSH (every close(2)): the closing process's fcntl locks on the file go (see Locks.cs); no data is sent.
    /// Another client that opens or reads the file makes the MDS recall
    /// this client's buffer cap, which writes the data back first — the same visibility ceph-fuse's ll_flush gives
    /// (it only reports earlier write-back errors, for which the C API has no call; fsync(2) reports them).
    /// Forcing the write-back here (ceph_ll_fsync) would cost an OSD round trip per close.
    /// </summary>
    public int Flush(FuseRequestContext context, FlushRequest request)
    {
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        return ReleasePosixLocks(file, request.LockOwner);
    }

    public int Release(FuseRequestContext context, ReleaseRequest request)
    {
        FileHandle? file = _files.Remove(request.FileHandle);
        if (file is null)
            return EBADF;
        // Closing the Fh drops this open file's locks (fcntl and, emulated, flock) with it.
        return Fail(_ceph.Close(file.Fh));
    }

    public int Fsync(FuseRequestContext context, FsyncRequest request)
    {
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        return Fail(_ceph.Fsync(file.Fh, request.DataOnly));
    }

    public int Fallocate(FuseRequestContext context, FallocateRequest request)
    {
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        // libcephfs knows allocation (mode 0, KEEP_SIZE) and punching holes (PUNCH_HOLE | KEEP_SIZE).
        if ((request.Mode & ~(Posix.FALLOC_FL_KEEP_SIZE | Posix.FALLOC_FL_PUNCH_HOLE)) != 0)
            return EOPNOTSUPP;
        return Fail(_ceph.Fallocate(file.Fh, (FallocateMode)request.Mode, request.Offset, request.Length));
    }

    public int Lseek(FuseRequestContext context, LseekRequest request, out long offset)
    {
        offset = 0;
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        long r = _ceph.Lseek(file.Fh, request.Offset, (SeekWhence)request.Whence);
        if (r < 0)
            return CephErrno.ToFuse(r);
        offset = r;
        return 0;
    }

    /// <summary>
    /// COPY_FILE_RANGE: libcephfs has no copy call, so the data goes through the daemon, 1 MiB at a time — one
    /// request for the caller instead of a READ and a WRITE per page-cache chunk through the kernel. An interrupt
    /// stops between pieces (a short copy, as copy_file_range(2) allows).
    /// </summary>
    public int CopyFileRange(FuseRequestContext context, CopyFileRangeRequest request, out long bytesCopied)
    {
        bytesCopied = 0;
        if (!TryFile(request.FileHandleIn, out FileHandle? source) || !TryFile(request.FileHandleOut, out FileHandle? target))
            return EBADF;
        if (request.Flags != 0)
            return EINVAL;
        if (request.Length <= 0)
            return 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyChunk, request.Length));
        try
        {
            long inOffset = request.OffsetIn, outOffset = request.OffsetOut, left = request.Length;
            while (left > 0 && !context.IsInterrupted)
            {
                int want = (int)Math.Min(Math.Min(buffer.Length, CopyChunk), left);
                int read = _ceph.Read(source.Fh, inOffset, buffer.AsSpan(0, want));
                if (read < 0)
                    return bytesCopied > 0 ? 0 : Fail(read);
                if (read == 0)
                    break; // end of the source
                int written = _ceph.Write(target.Fh, outOffset, buffer.AsSpan(0, read));
                if (written < 0)
                    return bytesCopied > 0 ? 0 : Fail(written);
                bytesCopied += written;
                inOffset += written;
                outOffset += written;
                left -= written;
                if (written < read)
                    break;
            }
            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public int Ioctl(FuseRequestContext context, IoctlRequest request, Span<byte> output, out int result, out int outputLength)
    {
        result = 0;
        outputLength = 0;
        if ((request.Flags & FuseIoctlFlags.Compat) != 0)
            return ENOTTY; // a 32-bit caller: none of ours has a compat form
        if (!TryNode(request.NodeId, out InodePtr inode))
            return ESTALE;
        switch (request.Command)
        {
            case CephIocGetLayout:
            {
                if (output.Length < CephIoctlLayoutSize)
                    return EINVAL;
                _ceph.FileLayout(inode, out CephFileLayout layout);
                BinaryPrimitives.WriteUInt64LittleEndian(output, layout.StripeUnit);
                BinaryPrimitives.WriteUInt64LittleEndian(output[8..], layout.StripeCount);
                BinaryPrimitives.WriteUInt64LittleEndian(output[16..], layout.ObjectSize);
                BinaryPrimitives.WriteUInt64LittleEndian(output[24..], layout.PgPool);
                BinaryPrimitives.WriteInt64LittleEndian(output[32..], -1); // preferred_osd: long gone from Ceph
                outputLength = CephIoctlLayoutSize;
                return 0;
            }
            case FsIocGetFlags or FsIoc32GetFlags:
                // lsattr: CephFS keeps no chattr flags.
                if (output.Length < sizeof(int))
                    return EINVAL;
                output[..sizeof(int)].Clear();
                outputLength = sizeof(int);
                return 0;
            default:
                return ENOTTY;
        }
    }
}
