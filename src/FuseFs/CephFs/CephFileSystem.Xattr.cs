using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;
using Posix = ManagedCephFuse.FuseFs.Kernel.OpenFlags;

namespace ManagedCephFuse.FuseFs.CephFs;

// Extended attributes: SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR. libcephfs serves user.*, security.*, trusted.*,
// the POSIX ACLs (system.posix_acl_*, with client_acl_type=posix_acl) and CephFS's virtual ones (ceph.dir.rbytes,
// ceph.quota.max_bytes, ceph.file.layout, …; readable and, where Ceph allows, settable, never listed).
internal sealed partial class CephFileSystem
{
    public int GetXattr(FuseRequestContext context, GetXattrRequest request, Span<byte> value, out int size)
    {
        size = 0;
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.GetXattr(inode, request.Name, request.Size == 0 ? default : value[..request.Size], perms.Ptr);
        if (r < 0)
            return Fail(r);
        size = r;
        return 0;
    }

    public int ListXattr(FuseRequestContext context, ListXattrRequest request, Span<byte> list, out int size)
    {
        size = 0;
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.ListXattr(inode, request.Size == 0 ? default : list[..request.Size], perms.Ptr);
        if (r < 0)
            return Fail(r);
        size = r;
        return 0;
    }

    public int SetXattr(FuseRequestContext context, SetXattrRequest request)
    {
        if (!TryNode(request.NodeId, out InodePtr inode))
            return ESTALE;
        if ((request.Flags & ~(Posix.XATTR_CREATE | Posix.XATTR_REPLACE)) != 0)
            return EINVAL;
        using Credentials.Perms perms = _credentials.For(context);
        // Setting system.posix_acl_access also updates the mode (libcephfs keeps the two in step).
        int r = _ceph.SetXattr(inode, request.Name, request.Value, (XattrFlags)request.Flags, perms.Ptr);
        if (r < 0)
            return Fail(r);
        if ((request.SetxattrFlags & FuseSetxattrFlags.AclKillSgid) != 0)
        {
            // The kernel (POSIX_ACL) asks: the caller is not in the file's group, so set-group-ID goes.
            if (_ceph.GetAttr(inode, out CephStatx st, StatxMask.Mode, AtFlags.None, perms.Ptr) == 0 &&
                (st.Mode & FileModes.S_ISGID) != 0)
            {
                var stx = new CephStatx { Mode = (ushort)(st.Mode & UnixMode.PermissionMask & ~FileModes.S_ISGID) };
                _ceph.SetAttr(inode, stx, SetAttrMask.Mode, _mount.DefaultPerms);
            }
        }
        return 0;
    }

    public int RemoveXattr(FuseRequestContext context, RemoveXattrRequest request)
    {
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        return Fail(_ceph.RemoveXattr(inode, request.Name, perms.Ptr));
    }
}
