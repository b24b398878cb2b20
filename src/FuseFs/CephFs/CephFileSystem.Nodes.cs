using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;
using Posix = ManagedCephFuse.FuseFs.Kernel.OpenFlags;

namespace ManagedCephFuse.FuseFs.CephFs;

// Names and attributes: LOOKUP, FORGET, GETATTR, STATX, SETATTR, READLINK, SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR,
// RENAME, LINK, ACCESS, STATFS.
internal sealed partial class CephFileSystem
{
    private const uint StatxBasicStats = 0x7FF, StatxBtime = 0x800;

    public int Lookup(FuseRequestContext context, LookupRequest request, ref FuseEntryOut entry)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        if (request.Parent == FuseProtocol.RootId && IsDotDot(request.Name))
        {
            // The mount's view ends at its root: ".." of the root is the root (as the kernel's own ".." is).
            int g = _ceph.GetAttr(_nodes.Root, out CephStatx rootAttr, AttrWant, AtFlags.None, perms.Ptr);
            if (g < 0)
                return Fail(g);
            FillEntry(ref entry, FuseProtocol.RootId, rootAttr);
            return 0;
        }
        int r = _ceph.Lookup(parent, request.Name, out InodePtr child, out CephStatx attr, AttrWant, AtFlags.None, perms.Ptr);
        return r < 0 ? Fail(r) : ReplyEntry(child, attr, ref entry);
    }

    public void Forget(ReadOnlySpan<FuseForgetOne> nodes)
    {
        foreach (ref readonly FuseForgetOne node in nodes)
            _nodes.Forget(node.NodeId, node.Nlookup);
    }

    public int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr)
    {
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode, out VInodeNo vino);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.GetAttr(inode, out CephStatx st, AttrWant, AtFlags.None, perms.Ptr);
        if (r < 0)
            return Fail(r);
        FillAttr(ref attr.Attr, st, NodeTable.StIno(vino, request.NodeId));
        attr.SetAttrTimeout(_attrTimeout);
        if (st.NLink == 0)
            _invalidator.Unlinked(request.NodeId);
        return 0;
    }

    public int Statx(FuseRequestContext context, StatxRequest request, ref FuseStatxOut statx)
    {
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode, out VInodeNo vino);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.GetAttr(inode, out CephStatx s, AttrWant | StatxMask.BTime, AtFlags.None, perms.Ptr);
        if (r < 0)
            return Fail(r);
        ref FuseStatx x = ref statx.Stat;
        x.Mask = StatxBasicStats | ((s.Mask & StatxMask.BTime) != 0 ? StatxBtime : 0);
        x.Blksize = s.BlockSize;
        x.Nlink = s.NLink;
        x.Uid = s.Uid;
        x.Gid = s.Gid;
        x.Mode = s.Mode;
        x.Ino = NodeTable.StIno(vino, request.NodeId);
        x.Size = s.Size;
        x.Blocks = s.Blocks;
        x.Atime = Time(s.ATime);
        x.Btime = Time(s.BTime);
        x.Ctime = Time(s.CTime);
        x.Mtime = Time(s.MTime);
        x.RdevMajor = (uint)(s.RDev >> 20);
        x.RdevMinor = (uint)(s.RDev & 0xfffff);
        statx.SetAttrTimeout(_attrTimeout);
        if (s.NLink == 0)
            _invalidator.Unlinked(request.NodeId);
        return 0;

        static FuseSxTime Time(Timespec t) => new() { TvSec = t.Seconds, TvNsec = (uint)t.Nanoseconds };
    }

    public int SetAttr(FuseRequestContext context, SetAttrRequest request, ref FuseAttrOut attr)
    {
        if (!TryNode(request.NodeId, out InodePtr inode, out VInodeNo vino))
            return ESTALE;
        var stx = default(CephStatx);
        SetAttrMask mask = SetAttrMask.None;
        if (request.Has(FuseSetAttrValid.Mode))
        {
            mask |= SetAttrMask.Mode;
            stx.Mode = (ushort)(request.Mode & UnixMode.PermissionMask);
        }
        if (request.Has(FuseSetAttrValid.Uid))
        {
            mask |= SetAttrMask.Uid;
            stx.Uid = request.Uid;
        }
        if (request.Has(FuseSetAttrValid.Gid))
        {
            mask |= SetAttrMask.Gid;
            stx.Gid = request.Gid;
        }
        if (request.Has(FuseSetAttrValid.Size))
        {
            mask |= SetAttrMask.Size;
            stx.Size = request.Size;
        }
        if (request.Has(FuseSetAttrValid.AtimeNow))
        {
            mask |= SetAttrMask.ATimeNow;
        }
        else if (request.Has(FuseSetAttrValid.Atime))
        {
            mask |= SetAttrMask.ATime;
            stx.ATime = new Timespec(request.AtimeSeconds, request.AtimeNanoseconds);
        }
        if (request.Has(FuseSetAttrValid.MtimeNow))
        {
            mask |= SetAttrMask.MTimeNow;
        }
        else if (request.Has(FuseSetAttrValid.Mtime))
        {
            mask |= SetAttrMask.MTime;
            stx.MTime = new Timespec(request.MtimeSeconds, request.MtimeNanoseconds);
        }
        if (request.Has(FuseSetAttrValid.Ctime))
        {
            mask |= SetAttrMask.CTime;
            stx.CTime = new Timespec(request.CtimeSeconds, request.CtimeNanoseconds);
        }
        if (request.Has(FuseSetAttrValid.KillSuidgid))
            mask |= SetAttrMask.KillSguid;

        using Credentials.Perms perms = _credentials.For(context);
        if ((mask & (SetAttrMask.Uid | SetAttrMask.Gid)) != 0 && (mask & SetAttrMask.Mode) == 0 && context.Uid != 0)
            KillSuidgidOnChown(inode, ref stx, ref mask, perms.Ptr);
        if (mask != SetAttrMask.None)
        {
            // ftruncate(2) through a file opened for writing: the right to write was checked when it was opened
            // (the kernel refuses ftruncate on a descriptor not open for writing), so a later chmod must not
            // make libcephfs refuse it; libcephfs would check the caller's write permission again.
            UserPermPtr actor = request.FileHandle is { } fh && (mask & ~FtruncateMask) == 0 && (mask & SetAttrMask.Size) != 0 &&
                TryFile(fh, out FileHandle? file) && (file.Flags & Posix.O_ACCMODE) != Posix.O_RDONLY
                ? _mount.DefaultPerms
                : perms.Ptr;
            int r = _ceph.SetAttr(inode, stx, mask, actor);
            if (r < 0)
                return Fail(r);
        }
        int g = _ceph.GetAttr(inode, out CephStatx st, AttrWant, AtFlags.None, perms.Ptr);
        if (g < 0)
            return Fail(g);
        FillAttr(ref attr.Attr, st, NodeTable.StIno(vino, request.NodeId));
        attr.SetAttrTimeout(_attrTimeout);
        return 0;
    }

    /// <summary>
    /// chown(2) by someone other than root clears set-user-ID, and set-group-ID on a group-executable file
    /// (Linux's rule; directories keep theirs). Under HANDLE_KILLPRIV_V2 the kernel leaves that to us, and
    /// libcephfs does not do it.
    /// </summary>
    private void KillSuidgidOnChown(InodePtr inode, ref CephStatx stx, ref SetAttrMask mask, UserPermPtr perms)
    {
        if (_ceph.GetAttr(inode, out CephStatx st, StatxMask.Mode, AtFlags.None, perms) != 0 || UnixMode.IsDirectory(st.Mode))
            return;
        uint mode = st.Mode & UnixMode.PermissionMask;
        uint kept = mode & ~FileModes.S_ISUID;
        if ((mode & 0x8) != 0) // S_IXGRP
            kept &= ~FileModes.S_ISGID;
        if (kept == mode)
            return;
        stx.Mode = (ushort)kept;
        mask |= SetAttrMask.Mode;
    }

    /// <summary>What an ftruncate(2) sends besides the size.</summary>
    private const SetAttrMask FtruncateMask = SetAttrMask.Size | SetAttrMask.MTime | SetAttrMask.MTimeNow |
        SetAttrMask.CTime | SetAttrMask.KillSguid;

    public int ReadLink(FuseRequestContext context, ReadLinkRequest request, Span<byte> target, out int length)
    {
        length = 0;
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.ReadLink(inode, target, perms.Ptr);
        if (r < 0)
            return Fail(r);
        length = r;
        return 0;
    }

    public int Symlink(FuseRequestContext context, SymlinkRequest request, ref FuseEntryOut entry)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        int r = _ceph.Symlink(parent, request.Name, request.Target, out InodePtr inode, out CephStatx attr, AttrWant, AtFlags.None, perms.Ptr);
        return r < 0 ? Fail(r) : ReplyEntry(inode, attr, ref entry);
    }

    public int MkNod(FuseRequestContext context, MkNodRequest request, ref FuseEntryOut entry)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        Invalidator.SetUmask(context.Umask);
        int r = _ceph.MkNod(parent, request.Name, request.Mode, DeviceNumbers.FromFuse(request.Rdev), out InodePtr inode,
            out CephStatx attr, AttrWant, AtFlags.None, perms.Ptr);
        return r < 0 ? Fail(r) : ReplyEntry(inode, attr, ref entry);
    }

    public int MkDir(FuseRequestContext context, MkDirRequest request, ref FuseEntryOut entry)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        Invalidator.SetUmask(context.Umask);
        // In a .snap directory this takes a snapshot (the caps need the 's' flag).
        int r = _ceph.MkDir(parent, request.Name, UnixMode.Directory | (request.Mode & UnixMode.PermissionMask), out InodePtr inode,
            out CephStatx attr, AttrWant, AtFlags.None, perms.Ptr);
        return r < 0 ? Fail(r) : ReplyEntry(inode, attr, ref entry);
    }

    public int Unlink(FuseRequestContext context, UnlinkRequest request)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        return Fail(_ceph.Unlink(parent, request.Name, perms.Ptr));
    }

    public int RmDir(FuseRequestContext context, RmDirRequest request)
    {
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull)
            return ESTALE;
        // In a .snap directory this removes a snapshot.
        return Fail(_ceph.RmDir(parent, request.Name, perms.Ptr));
    }

    public int Rename(FuseRequestContext context, RenameRequest request)
    {
        // CephFS has no atomic RENAME_NOREPLACE/EXCHANGE (neither has the kernel client): EINVAL, as ceph-fuse
        // answers; callers such as mv fall back to a plain rename after checking themselves.
        if (request.Flags != RenameFlags.None)
            return EINVAL;
        using Credentials.Perms perms = Enter(context, request.Parent, out InodePtr parent);
        if (parent.IsNull || !TryNode(request.NewParent, out InodePtr newParent))
            return ESTALE;
        return Fail(_ceph.Rename(parent, request.Name, newParent, request.NewName, perms.Ptr));
    }

    public int Link(FuseRequestContext context, LinkRequest request, ref FuseEntryOut entry)
    {
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode, out VInodeNo vino);
        if (inode.IsNull || !TryNode(request.NewParent, out InodePtr newParent))
            return ESTALE;
        int r = _ceph.Link(inode, newParent, request.NewName, perms.Ptr);
        if (r < 0)
            return Fail(r);
        r = _ceph.GetAttr(inode, out CephStatx attr, AttrWant, AtFlags.None, perms.Ptr);
        if (r < 0)
            return Fail(r);
        // ceph_ll_link takes no reference, but the reply gives the kernel a lookup: take one for it.
        InodePtr extra = _ceph.GetInode(vino);
        if (extra.IsNull)
            return ESTALE;
        return ReplyEntry(extra, attr, ref entry);
    }

    public int Access(FuseRequestContext context, AccessRequest request)
    {
        // Only without default_permissions (fuse_default_permissions=false): libcephfs has no C call for its
        // permission check, so it is made here from the attributes and, with POSIX ACLs, the access ACL.
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.GetAttr(inode, out CephStatx st, AttrWant, AtFlags.None, perms.Ptr);
        if (r < 0)
            return Fail(r);
        if (request.Mask == Posix.F_OK)
            return 0;
        byte[]? acl = null;
        if (_options.PosixAcl)
            acl = ReadAccessAcl(inode, perms.Ptr);
        return Permissions.Check(st, context, request.Mask, acl) ? 0 : EACCES;
    }

    public int StatFs(FuseRequestContext context, StatFsRequest request, ref FuseKstatfs statfs)
    {
        if (!TryNode(request.NodeId, out InodePtr inode))
            inode = _nodes.Root;
        // Under a quota root (the subvolume a CSI volume is) libcephfs reports the quota as the size and the
        // root's rbytes as used (client_quota_df), so df shows the volume's size.
        int r = _ceph.StatFs(inode, out StatVfs st);
        if (r < 0)
            return Fail(r);
        statfs.Blocks = st.Blocks;
        statfs.Bfree = st.BlocksFree;
        statfs.Bavail = st.BlocksAvailable;
        statfs.Files = st.Files;
        statfs.Ffree = st.FilesFree;
        statfs.Bsize = (uint)st.BlockSize;
        statfs.Namelen = (uint)st.NameMax;
        statfs.Frsize = (uint)st.FragmentSize;
        return 0;
    }

    private byte[]? ReadAccessAcl(InodePtr inode, UserPermPtr perms)
    {
        Span<byte> buffer = stackalloc byte[4 + (8 * 64)];
        int n = _ceph.GetXattr(inode, "system.posix_acl_access"u8, buffer, perms);
        if (n == -ERANGE)
        {
            int size = _ceph.GetXattr(inode, "system.posix_acl_access"u8, default, perms);
            if (size <= 0)
                return null;
            var big = new byte[size];
            n = _ceph.GetXattr(inode, "system.posix_acl_access"u8, big, perms);
            return n > 0 ? big.AsSpan(0, n).ToArray() : null;
        }
        return n > 0 ? buffer[..n].ToArray() : null;
    }
}
