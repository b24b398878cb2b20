using ManagedCephFuse.FuseFs.Kernel;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

// Extended attributes: user.* (regular files and directories, by permission), trusted.* (root), security.*;
// system.* (POSIX ACLs) is not supported.
internal sealed partial class MemoryFileSystem
{
    private int CheckXattrAccess(FuseRequestContext caller, MemoryNode node, ReadOnlySpan<byte> name, bool write)
    {
        if (name.StartsWith("user."u8))
        {
            if (!node.IsRegular && !node.IsDirectory)
                return write ? EPERM : ENODATA;
            if (Check && !Permissions.Allowed(caller, node, write ? OpenFlags.W_OK : OpenFlags.R_OK))
                return EACCES;
            if (Check && write && node.IsDirectory && (node.Mode & FileModes.S_ISVTX) != 0 && !caller.IsRoot && caller.Uid != node.Uid)
                return EPERM;
            return 0;
        }
        if (name.StartsWith("trusted."u8))
            return caller.IsRoot ? 0 : write ? EPERM : ENODATA;
        if (name.StartsWith("security."u8))
            return 0;
        return EOPNOTSUPP;
    }

    public int SetXattr(FuseRequestContext context, SetXattrRequest request)
    {
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        int denied = CheckXattrAccess(context, node, request.Name, write: true);
        if (denied != 0)
            return denied;
        lock (node.Gate)
        {
            node.Xattrs ??= new Dictionary<byte[], byte[]>(NameComparer.Instance);
            var lookup = node.Xattrs.GetAlternateLookup<ReadOnlySpan<byte>>();
            bool exists = lookup.ContainsKey(request.Name);
            if ((request.Flags & OpenFlags.XATTR_CREATE) != 0 && exists)
                return EEXIST;
            if ((request.Flags & OpenFlags.XATTR_REPLACE) != 0 && !exists)
                return ENODATA;
            lookup[request.Name] = request.Value.ToArray();
            node.Ctime = Timespec.Now();
        }
        return 0;
    }

    public int GetXattr(FuseRequestContext context, GetXattrRequest request, Span<byte> value, out int size)
    {
        size = 0;
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        int denied = CheckXattrAccess(context, node, request.Name, write: false);
        if (denied != 0)
            return denied;
        lock (node.Gate)
        {
            if (node.Xattrs is null || !node.Xattrs.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(request.Name, out byte[]? stored))
                return ENODATA;
            size = stored.Length;
            if (request.Size == 0)
                return 0;
            if (stored.Length > value.Length)
                return ERANGE;
            stored.CopyTo(value);
            return 0;
        }
    }

    public int ListXattr(FuseRequestContext context, ListXattrRequest request, Span<byte> list, out int size)
    {
        size = 0;
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        lock (node.Gate)
        {
            if (node.Xattrs is null)
                return 0;
            foreach (byte[] name in node.Xattrs.Keys)
            {
                if (!context.IsRoot && name.AsSpan().StartsWith("trusted."u8))
                    continue;
                if (request.Size != 0)
                {
                    if (size + name.Length + 1 > list.Length)
                        return ERANGE;
                    name.CopyTo(list[size..]);
                    list[size + name.Length] = 0;
                }
                size += name.Length + 1;
            }
            return 0;
        }
    }

    public int RemoveXattr(FuseRequestContext context, RemoveXattrRequest request)
    {
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        int denied = CheckXattrAccess(context, node, request.Name, write: true);
        if (denied != 0)
            return denied;
        lock (node.Gate)
        {
            if (node.Xattrs is null || !node.Xattrs.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(request.Name))
                return ENODATA;
            node.Ctime = Timespec.Now();
        }
        return 0;
    }
}
