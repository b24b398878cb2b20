using System.Runtime.CompilerServices;
using ManagedCephFuse.CephClient.Native;
using static ManagedCephFuse.CephClient.Native.LibCephFs;

namespace ManagedCephFuse.CephClient;

/// <summary>
/// The hot-path face of one mount, for the FUSE bridge: every method is one libcephfs call, returns 0 or a
/// byte count on success and a negative errno on failure, never throws, and allocates nothing.
/// </summary>
/// <remarks>
/// <para><b>Names</b> are UTF-8 bytes. A span ending in its only NUL (as FUSE requests carry them) goes to
/// libcephfs as is; otherwise it is copied to the stack and terminated (-ENAMETOOLONG past 255 bytes for a name,
/// 4095 for a path or link target; -EINVAL for an embedded NUL).</para>
/// <para><b>References.</b> Calls marked "+1 reference" hand the caller one ll reference on the returned inode,
/// given back with <see cref="Put"/> or <see cref="Forget"/> (FUSE FORGET(n) is <c>Forget(inode, n)</c>).
/// <see cref="Link"/> takes none. <see cref="Open"/>/<see cref="Create"/> return an <see cref="FhPtr"/> to
/// <see cref="Close"/>; <see cref="OpenDir"/> a <see cref="DirPtr"/> to <see cref="ReleaseDir"/>.</para>
/// <para><b>Lifetime.</b> Raw pointers die with the mount: put, close and release them before
/// <see cref="CephMount.Unmount"/>/<see cref="CephMount.Dispose"/>, or not at all (unmount drops whatever is
/// left). libcephfs itself crashes on a pointer of an unmounted client; this class answers -ENOTCONN once the
/// mount was unmounted, aborted or disposed, but a call still running while that happens is the caller's
/// problem: stop issuing calls first. Calls are otherwise thread-safe (libcephfs serializes on its client lock).</para>
/// <para><b>Credentials.</b> Every call taking a <see cref="UserPermPtr"/> is permission-checked by libcephfs
/// against it; <see cref="CephMount.DefaultPerms"/> is the mount's own (the process's uid/gid).</para>
/// </remarks>
[SkipLocalsInit]
public sealed unsafe class CephLowLevel
{
    private readonly nint _cmount;
    private volatile bool _closed;

    internal CephLowLevel(nint cmount) => _cmount = cmount;

    /// <summary>After Unmount, Abort or Dispose every call answers -ENOTCONN instead of reaching libcephfs, which
    /// would crash on a pointer of an unmounted client. (A call racing with that transition is not covered.)</summary>
    internal void MarkClosed() => _closed = true;

    /// <summary>False once the mount was unmounted, aborted or disposed.</summary>
    public bool IsOpen => !_closed;

    // ---- inode references ---------------------------------------------------------------------------

    /// <summary>ceph_ll_lookup_root: the mount's root directory. +1 reference.</summary>
    public int LookupRoot(out InodePtr root)
    {
        root = default;
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (InodePtr* r = &root)
            return ceph_ll_lookup_root(_cmount, r);
    }

    /// <summary>ceph_ll_lookup: <paramref name="name"/> in <paramref name="parent"/> (also "." and ".."), with its
    /// attributes. +1 reference on success. ".." of a subdirectory mount's root yields its real parent: a bridge
    /// must answer ".." of its root itself.</summary>
    public int Lookup(InodePtr parent, ReadOnlySpan<byte> name, out InodePtr child, out CephStatx attr,
        StatxMask want, AtFlags flags, UserPermPtr perms)
    {
        child = default;
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
        fixed (InodePtr* c = &child)
        fixed (CephStatx* s = &attr)
            return ceph_ll_lookup(_cmount, parent, n, c, s, (uint)want, (uint)flags, perms);
    }

    /// <summary>ceph_ll_lookup_inode: the live inode numbered <paramref name="ino"/>, asking the MDS when it is not
    /// cached (what a restarted daemon needs to rebuild its table). +1 reference.</summary>
    public int LookupInode(ulong ino, out InodePtr inode)
    {
        inode = default;
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (InodePtr* i = &inode)
            return ceph_ll_lookup_inode(_cmount, new InodeNo(ino), i);
    }

    /// <summary>ceph_ll_lookup_vino: an inode of the live tree or of a snapshot. +1 reference.</summary>
    public int LookupVino(VInodeNo vino, out InodePtr inode)
    {
        inode = default;
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (InodePtr* i = &inode)
            return ceph_ll_lookup_vino(_cmount, vino, i);
    }

    /// <summary>ceph_ll_get_inode: the inode if this client has it cached, else null; never asks the MDS.
    /// +1 reference when not null.</summary>
    public InodePtr GetInode(VInodeNo vino)
    {
        if (_closed)
            return default;
        return ceph_ll_get_inode(_cmount, vino);
    }

    /// <summary>ceph_ll_walk: resolve a path from the mount root (symlinks followed except a final one with
    /// <see cref="AtFlags.SymlinkNoFollow"/>). +1 reference.</summary>
    public int Walk(ReadOnlySpan<byte> path, out InodePtr inode, out CephStatx attr, StatxMask want, AtFlags flags,
        UserPermPtr perms)
    {
        inode = default;
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(path, stackalloc byte[Utf8Z.PathBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* p = z)
        fixed (InodePtr* i = &inode)
        fixed (CephStatx* s = &attr)
            return ceph_ll_walk(_cmount, p, i, s, (uint)want, (uint)flags, perms);
    }

    /// <summary>ceph_ll_put: give back one reference. Returns 1 when that was the inode's last ll reference,
    /// 0 when others remain, negative errno on error. libcephfs ignores put/forget of inode 1 (the file system
    /// root, which FUSE never forgets) and answers 1.</summary>
    public int Put(InodePtr inode)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_put(_cmount, inode);
    }

    /// <summary>ceph_ll_forget: give back <paramref name="count"/> references (FUSE FORGET). Returns like
    /// <see cref="Put"/>.</summary>
    public int Forget(InodePtr inode, int count)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_forget(_cmount, inode, count);
    }

    /// <summary>ceph_ll_snap_seq: the sequence number of the inode's snap realm (changes when a snapshot is
    /// taken or removed above it).</summary>
    public ulong SnapSeq(InodePtr inode)
    {
        if (_closed)
            return 0;
        return ceph_ll_snap_seq(_cmount, inode);
    }

    /// <summary>ceph_ll_file_layout: how the file's data maps to RADOS objects (stripe unit and count, object
    /// size, data pool id), what CEPH_IOC_GET_LAYOUT reports. Returns the stripe unit.</summary>
    public uint FileLayout(InodePtr inode, out CephFileLayout layout)
    {
        layout = default;
        if (_closed)
            return 0;
        fixed (CephFileLayout* l = &layout)
            return ceph_ll_file_layout(_cmount, inode, l);
    }

    // ---- attributes ---------------------------------------------------------------------------------

    /// <summary>ceph_ll_getattr: the attributes in <paramref name="want"/> (from cache when the client holds the
    /// caps, else from the MDS; <see cref="AtFlags.StatxDontSync"/> never asks).</summary>
    public int GetAttr(InodePtr inode, out CephStatx attr, StatxMask want, AtFlags flags, UserPermPtr perms)
    {
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (CephStatx* s = &attr)
            return ceph_ll_getattr(_cmount, inode, s, (uint)want, (uint)flags, perms);
    }

    /// <summary>ceph_ll_setattr: apply the fields of <paramref name="attr"/> selected by <paramref name="mask"/>.
    /// Does not return the new attributes: call <see cref="GetAttr"/>. Pacific ignores MTIME_NOW/ATIME_NOW, so
    /// those set MTime/ATime to this machine's current time here (as utimensat(UTIME_NOW) would).</summary>
    public int SetAttr(InodePtr inode, in CephStatx attr, SetAttrMask mask, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        CephStatx copy = attr; // the C signature is not const
        if ((mask & (SetAttrMask.MTimeNow | SetAttrMask.ATimeNow)) != 0)
        {
            var now = Timespec.Now;
            if ((mask & SetAttrMask.MTimeNow) != 0)
            {
                copy.MTime = now;
                mask |= SetAttrMask.MTime;
            }
            if ((mask & SetAttrMask.ATimeNow) != 0)
            {
                copy.ATime = now;
                mask |= SetAttrMask.ATime;
            }
        }
        return ceph_ll_setattr(_cmount, inode, &copy, (int)mask, perms);
    }

    /// <summary>ceph_ll_statfs: file system statistics (Pacific answers for the mount root's quota realm,
    /// whatever <paramref name="inode"/> is).</summary>
    public int StatFs(InodePtr inode, out StatVfs stat)
    {
        Unsafe.SkipInit(out stat);
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (StatVfs* s = &stat)
            return ceph_ll_statfs(_cmount, inode, s);
    }

    // ---- namespace ----------------------------------------------------------------------------------

    /// <summary>ceph_ll_create: with O_CREAT in <paramref name="flags"/> (FUSE CREATE has it) create the file, or
    /// without O_EXCL open an existing one; without O_CREAT only open an existing one (-ENOENT otherwise).
    /// +1 reference on <paramref name="inode"/> and an open <paramref name="file"/> on success.</summary>
    public int Create(InodePtr parent, ReadOnlySpan<byte> name, uint mode, OpenFlags flags, out InodePtr inode,
        out FhPtr file, out CephStatx attr, StatxMask want, AtFlags atFlags, UserPermPtr perms)
    {
        inode = default;
        file = default;
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
        fixed (InodePtr* i = &inode)
        fixed (FhPtr* f = &file)
        fixed (CephStatx* s = &attr)
            return ceph_ll_create(_cmount, parent, n, mode, (int)flags, i, f, s, (uint)want, (uint)atFlags, perms);
    }

    /// <summary>ceph_ll_mknod: a regular file, FIFO, socket or device node (<paramref name="mode"/> carries the
    /// type). +1 reference.</summary>
    public int MkNod(InodePtr parent, ReadOnlySpan<byte> name, uint mode, ulong rdev, out InodePtr inode,
        out CephStatx attr, StatxMask want, AtFlags flags, UserPermPtr perms)
    {
        inode = default;
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
        fixed (InodePtr* i = &inode)
        fixed (CephStatx* s = &attr)
            return ceph_ll_mknod(_cmount, parent, n, mode, rdev, i, s, (uint)want, (uint)flags, perms);
    }

    /// <summary>ceph_ll_mkdir. Inside a <c>.snap</c> directory this takes a snapshot. +1 reference.</summary>
    public int MkDir(InodePtr parent, ReadOnlySpan<byte> name, uint mode, out InodePtr inode, out CephStatx attr,
        StatxMask want, AtFlags flags, UserPermPtr perms)
    {
        inode = default;
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
        fixed (InodePtr* i = &inode)
        fixed (CephStatx* s = &attr)
            return ceph_ll_mkdir(_cmount, parent, n, mode, i, s, (uint)want, (uint)flags, perms);
    }

    /// <summary>ceph_ll_symlink: <paramref name="name"/> in <paramref name="parent"/> pointing at
    /// <paramref name="target"/>. +1 reference.</summary>
    public int Symlink(InodePtr parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, out InodePtr inode,
        out CephStatx attr, StatxMask want, AtFlags flags, UserPermPtr perms)
    {
        inode = default;
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        var zn = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        var zt = Utf8Z.Terminate(target, stackalloc byte[Utf8Z.PathBuffer], out error);
        if (error != 0)
            return -error;
        fixed (byte* n = zn)
        fixed (byte* t = zt)
        fixed (InodePtr* i = &inode)
        fixed (CephStatx* s = &attr)
            return ceph_ll_symlink(_cmount, parent, n, t, i, s, (uint)want, (uint)flags, perms);
    }

    /// <summary>ceph_ll_readlink: the link target into <paramref name="buffer"/> (not NUL-terminated); returns its
    /// length. A target longer than the buffer is cut to the buffer's size.</summary>
    public int ReadLink(InodePtr inode, Span<byte> buffer, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (byte* b = buffer)
            return ceph_ll_readlink(_cmount, inode, b, (nuint)buffer.Length, perms);
    }

    /// <summary>ceph_ll_link: a new name for <paramref name="inode"/>. Takes NO reference (a FUSE LINK reply
    /// that counts a lookup needs a <see cref="Lookup"/> or an extra reference the bridge accounts itself).</summary>
    public int Link(InodePtr inode, InodePtr newParent, ReadOnlySpan<byte> newName, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(newName, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
            return ceph_ll_link(_cmount, inode, newParent, n, perms);
    }

    /// <summary>ceph_ll_unlink: remove a non-directory name.</summary>
    public int Unlink(InodePtr parent, ReadOnlySpan<byte> name, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
            return ceph_ll_unlink(_cmount, parent, n, perms);
    }

    /// <summary>ceph_ll_rmdir: remove an empty directory (-ENOTEMPTY otherwise); in <c>.snap</c> it removes a
    /// snapshot.</summary>
    public int RmDir(InodePtr parent, ReadOnlySpan<byte> name, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
            return ceph_ll_rmdir(_cmount, parent, n, perms);
    }

    /// <summary>ceph_ll_rename: replaces an existing target as rename(2) does.</summary>
    public int Rename(InodePtr parent, ReadOnlySpan<byte> name, InodePtr newParent, ReadOnlySpan<byte> newName,
        UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var zo = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        var zn = Utf8Z.Terminate(newName, stackalloc byte[Utf8Z.NameBuffer], out error);
        if (error != 0)
            return -error;
        fixed (byte* o = zo)
        fixed (byte* n = zn)
            return ceph_ll_rename(_cmount, parent, o, newParent, n, perms);
    }

    // ---- files --------------------------------------------------------------------------------------

    /// <summary>ceph_ll_open: open an existing inode (O_CREAT is not for here: use <see cref="Create"/>).</summary>
    public int Open(InodePtr inode, OpenFlags flags, out FhPtr file, UserPermPtr perms)
    {
        file = default;
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (FhPtr* f = &file)
            return ceph_ll_open(_cmount, inode, (int)flags, f, perms);
    }

    /// <summary>ceph_ll_read into <paramref name="buffer"/>; returns the bytes read (fewer at end of file,
    /// 0 past it; holes read as zeros).</summary>
    public int Read(FhPtr file, long offset, Span<byte> buffer)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (byte* b = buffer)
            return ceph_ll_read(_cmount, file, offset, (ulong)buffer.Length, b);
    }

    /// <summary>ceph_ll_write from <paramref name="data"/>; returns the bytes written (-EDQUOT past a quota;
    /// 0 for empty data without calling libcephfs, which would abort the process).
    /// An offset of -1 writes at the file position, which O_APPEND moves to the end; any other offset is used as
    /// given even with O_APPEND.</summary>
    public int Write(FhPtr file, long offset, ReadOnlySpan<byte> data)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        if (data.IsEmpty)
            return 0; // libcephfs 16.2 aborts the process on a zero-length write (Striper asserts len > 0)
        fixed (byte* d = data)
            return ceph_ll_write(_cmount, file, offset, (ulong)data.Length, d);
    }

    /// <summary>ceph_ll_readv into buffers the caller pinned; returns the bytes read.</summary>
    public long ReadV(FhPtr file, long offset, ReadOnlySpan<IoVec> buffers)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (IoVec* v = buffers)
            return ceph_ll_readv(_cmount, file, v, buffers.Length, offset);
    }

    /// <summary>ceph_ll_readv scattering into two spans (e.g. a header area and a payload area).</summary>
    public long ReadV(FhPtr file, long offset, Span<byte> first, Span<byte> second)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (byte* a = first)
        fixed (byte* b = second)
        {
            IoVec* v = stackalloc IoVec[2];
            v[0] = new IoVec(a, (nuint)first.Length);
            v[1] = new IoVec(b, (nuint)second.Length);
            return ceph_ll_readv(_cmount, file, v, 2, offset);
        }
    }

    /// <summary>ceph_ll_writev from buffers the caller pinned; returns the bytes written.</summary>
    public long WriteV(FhPtr file, long offset, ReadOnlySpan<IoVec> buffers)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        nuint total = 0;
        foreach (var buffer in buffers)
            total += buffer.Length;
        if (total == 0)
            return 0; // see Write
        fixed (IoVec* v = buffers)
            return ceph_ll_writev(_cmount, file, v, buffers.Length, offset);
    }

    /// <summary>ceph_ll_writev gathering two spans.</summary>
    public long WriteV(FhPtr file, long offset, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        if (first.IsEmpty && second.IsEmpty)
            return 0; // see Write
        fixed (byte* a = first)
        fixed (byte* b = second)
        {
            IoVec* v = stackalloc IoVec[2];
            v[0] = new IoVec(a, (nuint)first.Length);
            v[1] = new IoVec(b, (nuint)second.Length);
            return ceph_ll_writev(_cmount, file, v, 2, offset);
        }
    }

    /// <summary>ceph_ll_lseek: the new offset (SEEK_DATA/SEEK_HOLE find data and holes; -ENXIO past the end).</summary>
    public long Lseek(FhPtr file, long offset, SeekWhence whence)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_lseek(_cmount, file, offset, (int)whence);
    }

    /// <summary>ceph_ll_fsync: write back the file's data (and metadata unless <paramref name="dataOnly"/>) and
    /// wait for it to be safe.</summary>
    public int Fsync(FhPtr file, bool dataOnly)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_fsync(_cmount, file, dataOnly ? 1 : 0);
    }

    /// <summary>ceph_ll_sync_inode: like <see cref="Fsync"/> without an open file.</summary>
    public int SyncInode(InodePtr inode, bool dataOnly)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_sync_inode(_cmount, inode, dataOnly ? 1 : 0);
    }

    /// <summary>ceph_ll_fallocate: allocate or (<see cref="FallocateMode.PunchHole"/> | KeepSize) punch a hole.</summary>
    public int Fallocate(FhPtr file, FallocateMode mode, long offset, long length)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_fallocate(_cmount, file, (int)mode, offset, length);
    }

    /// <summary>ceph_ll_close: release an open file (its locks of this client go with it).</summary>
    public int Close(FhPtr file)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_close(_cmount, file);
    }

    /// <summary>ceph_ll_getlk: if a lock conflicting with <paramref name="lock"/> exists, it is written to
    /// <paramref name="lock"/>; otherwise its type becomes <see cref="LockType.Unlock"/>.</summary>
    public int GetLk(FhPtr file, ref Flock @lock, ulong owner)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (Flock* l = &@lock)
            return ceph_ll_getlk(_cmount, file, l, owner);
    }

    /// <summary>ceph_ll_setlk: take or release a POSIX record lock for <paramref name="owner"/>; -EAGAIN on
    /// conflict unless <paramref name="wait"/>, which blocks the calling thread until granted.</summary>
    public int SetLk(FhPtr file, in Flock @lock, ulong owner, bool wait)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        Flock copy = @lock;
        return ceph_ll_setlk(_cmount, file, &copy, owner, wait ? 1 : 0);
    }

    // ---- directories --------------------------------------------------------------------------------

    /// <summary>ceph_ll_opendir.</summary>
    public int OpenDir(InodePtr inode, out DirPtr dir, UserPermPtr perms)
    {
        dir = default;
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (DirPtr* d = &dir)
            return ceph_ll_opendir(_cmount, inode, d, perms);
    }

    /// <summary>ceph_readdirplus_r: the next entry (including "." and "..") with its attributes and +1 reference
    /// on its inode. Returns 1 for an entry, 0 at the end, negative errno on error.</summary>
    public int ReadDirPlus(DirPtr dir, out Dirent entry, out CephStatx attr, StatxMask want, AtFlags flags,
        out InodePtr inode)
    {
        Unsafe.SkipInit(out entry);
        Unsafe.SkipInit(out attr);
        inode = default;
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (Dirent* e = &entry)
        fixed (CephStatx* s = &attr)
        fixed (InodePtr* i = &inode)
            return ceph_readdirplus_r(_cmount, dir, e, s, (uint)want, (uint)flags, i);
    }

    /// <summary>ceph_readdirplus_r without taking an inode reference (READDIR, or READDIRPLUS entries the
    /// bridge does not hand to the kernel).</summary>
    public int ReadDirPlus(DirPtr dir, out Dirent entry, out CephStatx attr, StatxMask want, AtFlags flags)
    {
        Unsafe.SkipInit(out entry);
        Unsafe.SkipInit(out attr);
        if (_closed)
            return -Errno.ENOTCONN;
        fixed (Dirent* e = &entry)
        fixed (CephStatx* s = &attr)
            return ceph_readdirplus_r(_cmount, dir, e, s, (uint)want, (uint)flags, null);
    }

    /// <summary>ceph_telldir: the position of the next entry (an opaque cookie for <see cref="SeekDir"/>).</summary>
    public long TellDir(DirPtr dir)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_telldir(_cmount, dir);
    }

    /// <summary>ceph_seekdir: continue at a position from <see cref="TellDir"/> or <see cref="Dirent.Offset"/>
    /// (0 = the beginning).</summary>
    public void SeekDir(DirPtr dir, long offset)
    {
        if (_closed)
            return;
        ceph_seekdir(_cmount, dir, offset);
    }

    /// <summary>ceph_ll_releasedir.</summary>
    public int ReleaseDir(DirPtr dir)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_ll_releasedir(_cmount, dir);
    }

    // ---- extended attributes ------------------------------------------------------------------------

    /// <summary>ceph_ll_getxattr: the value's length; with an empty <paramref name="value"/> only its size
    /// (probe). -ERANGE when the buffer is too small, -ENODATA when absent. Ceph's virtual xattrs
    /// (<c>ceph.dir.rbytes</c>, <c>ceph.quota.max_bytes</c>, …) are served too.</summary>
    public int GetXattr(InodePtr inode, ReadOnlySpan<byte> name, Span<byte> value, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
        fixed (byte* v = value)
            return ceph_ll_getxattr(_cmount, inode, n, v, (nuint)value.Length, perms);
    }

    /// <summary>ceph_ll_setxattr (an empty value is allowed).</summary>
    public int SetXattr(InodePtr inode, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, XattrFlags flags,
        UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        byte empty = 0;
        fixed (byte* n = z)
        fixed (byte* v = value)
            return ceph_ll_setxattr(_cmount, inode, n, v == null ? &empty : v, (nuint)value.Length, (int)flags, perms);
    }

    /// <summary>ceph_ll_listxattr: NUL-separated names into <paramref name="list"/>; returns the list's length
    /// (listxattr(2) semantics: an empty buffer probes the size, -ERANGE when too small).</summary>
    public int ListXattr(InodePtr inode, Span<byte> list, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        nuint size = 0;
        int r;
        fixed (byte* l = list)
            r = ceph_ll_listxattr(_cmount, inode, l, (nuint)list.Length, &size, perms);
        return r < 0 ? r : (int)size;
    }

    /// <summary>ceph_ll_removexattr.</summary>
    public int RemoveXattr(InodePtr inode, ReadOnlySpan<byte> name, UserPermPtr perms)
    {
        if (_closed)
            return -Errno.ENOTCONN;
        var z = Utf8Z.Terminate(name, stackalloc byte[Utf8Z.NameBuffer], out int error);
        if (error != 0)
            return -error;
        fixed (byte* n = z)
            return ceph_ll_removexattr(_cmount, inode, n, perms);
    }

    // ---- whole file system --------------------------------------------------------------------------

    /// <summary>ceph_sync_fs: write back everything this client has dirty (what FSYNCDIR/syncfs can use).</summary>
    public int SyncFs()
    {
        if (_closed)
            return -Errno.ENOTCONN;
        return ceph_sync_fs(_cmount);
    }
}
