using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

// Names: MKNOD, MKDIR, SYMLINK, CREATE's node, LINK, UNLINK, RMDIR, RENAME, READLINK.
internal sealed partial class MemoryFileSystem
{
    private const uint MaxLinks = 65000;

    /// <summary>
    /// Creates <paramref name="name"/> in <paramref name="parent"/> (under the tree lock). The kernel has applied the
    /// umask already (no DONT_MASK). The group is inherited from a set-group-ID directory, as in BSD and Linux.
    /// </summary>
    private int CreateNode(FuseRequestContext caller, ulong parent, ReadOnlySpan<byte> name, uint mode, uint rdev, out MemoryNode? created)
    {
        created = null;
        MemoryNode? dir = Node(parent);
        if (dir is null)
            return ENOENT;
        if (!dir.IsDirectory)
            return ENOTDIR;
        if (dir.Nlink == 0)
            return ENOENT; // removed while open
        if (Check && !Permissions.Allowed(caller, dir, OpenFlags.W_OK | OpenFlags.X_OK))
            return EACCES;
        if (dir.Entries!.Find(name) is not null)
            return EEXIST;
        Timespec now = Timespec.Now();
        uint gid = caller.Gid;
        if ((dir.Mode & FileModes.S_ISGID) != 0)
        {
            gid = dir.Gid;
            if (FileModes.IsDirectory(mode))
                mode |= FileModes.S_ISGID;
        }
        if (Check && !FileModes.IsDirectory(mode) && (mode & FileModes.S_ISGID) != 0 && (mode & 0x8) != 0 &&
            !caller.IsRoot && !caller.IsInGroup(gid))
            mode &= ~FileModes.S_ISGID;
        var node = new MemoryNode((ulong)Interlocked.Increment(ref _nextIno), mode, caller.Uid, gid, now) { Rdev = rdev };
        if (node.IsDirectory)
        {
            node.Nlink = 2;
            node.Parent = dir;
            node.Size = FileData.PageSize;
        }
        else
        {
            node.Nlink = 1;
        }
        _nodes[node.Ino] = node;
        lock (dir.Gate)
        {
            dir.Entries.Add(name, node);
            if (node.IsDirectory)
                dir.Nlink++;
            dir.Mtime = dir.Ctime = now;
        }
        created = node;
        return 0;
    }

    public int MkNod(FuseRequestContext context, MkNodRequest request, ref FuseEntryOut entry)
    {
        uint type = request.Mode & FileModes.S_IFMT;
        if (type is not (FileModes.S_IFREG or FileModes.S_IFIFO or FileModes.S_IFSOCK or FileModes.S_IFCHR or FileModes.S_IFBLK))
            return type == FileModes.S_IFDIR ? EPERM : EINVAL;
        if (type is FileModes.S_IFCHR or FileModes.S_IFBLK && Check && !context.IsRoot)
            return EPERM;
        lock (_tree)
        {
            int result = CreateNode(context, request.Parent, request.Name, request.Mode, request.Rdev, out MemoryNode? node);
            if (result != 0)
                return result;
            ReplyEntry(node!, ref entry);
            return 0;
        }
    }

    public int MkDir(FuseRequestContext context, MkDirRequest request, ref FuseEntryOut entry)
    {
        uint mode = FileModes.S_IFDIR | (request.Mode & FileModes.PermissionBits);
        lock (_tree)
        {
            MemoryNode? dir = Node(request.Parent);
            if (dir is not null && dir.Nlink >= MaxLinks)
                return EMLINK;
            int result = CreateNode(context, request.Parent, request.Name, mode, 0, out MemoryNode? node);
            if (result != 0)
                return result;
            ReplyEntry(node!, ref entry);
            return 0;
        }
    }

    public int Symlink(FuseRequestContext context, SymlinkRequest request, ref FuseEntryOut entry)
    {
        lock (_tree)
        {
            int result = CreateNode(context, request.Parent, request.Name, FileModes.S_IFLNK | 0x1FF, 0, out MemoryNode? node);
            if (result != 0)
                return result;
            node!.Target = request.Target.ToArray();
            node.Size = node.Target.Length;
            ReplyEntry(node, ref entry);
            return 0;
        }
    }

    public int ReadLink(FuseRequestContext context, ReadLinkRequest request, Span<byte> target, out int length)
    {
        length = 0;
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        if (!node.IsSymlink)
            return EINVAL;
        byte[] link = node.Target!;
        if (link.Length > target.Length)
            return ENAMETOOLONG;
        link.CopyTo(target);
        length = link.Length;
        return 0;
    }

    public int Link(FuseRequestContext context, LinkRequest request, ref FuseEntryOut entry)
    {
        lock (_tree)
        {
            MemoryNode? node = Node(request.NodeId);
            MemoryNode? dir = Node(request.NewParent);
            if (node is null || dir is null)
                return ENOENT;
            if (!dir.IsDirectory)
                return ENOTDIR;
            if (node.IsDirectory)
                return EPERM;
            if (dir.Nlink == 0)
                return ENOENT;
            if (Check && !Permissions.Allowed(context, dir, OpenFlags.W_OK | OpenFlags.X_OK))
                return EACCES;
            if (dir.Entries!.Find(request.NewName) is not null)
                return EEXIST;
            if (node.Nlink >= MaxLinks)
                return EMLINK;
            if (node.Nlink == 0)
                return ENOENT; // an unlinked file cannot get a name back (except via O_TMPFILE)
            Timespec now = Timespec.Now();
            lock (dir.Gate)
            {
                dir.Entries.Add(request.NewName, node);
                dir.Mtime = dir.Ctime = now;
            }
            lock (node.Gate)
            {
                node.Nlink++;
                node.Ctime = now;
            }
            ReplyEntry(node, ref entry);
            return 0;
        }
    }

    public int Unlink(FuseRequestContext context, UnlinkRequest request) => Remove(context, request.Parent, request.Name, directory: false);

    public int RmDir(FuseRequestContext context, RmDirRequest request) => Remove(context, request.Parent, request.Name, directory: true);

    private int Remove(FuseRequestContext caller, ulong parent, ReadOnlySpan<byte> name, bool directory)
    {
        if (directory && name.SequenceEqual("."u8))
            return EINVAL;
        if (directory && name.SequenceEqual(".."u8))
            return ENOTEMPTY;
        lock (_tree)
        {
            MemoryNode? dir = Node(parent);
            if (dir is null)
                return ENOENT;
            if (!dir.IsDirectory)
                return ENOTDIR;
            DirEntry? entry = dir.Entries!.Find(name);
            if (entry is null)
                return ENOENT;
            MemoryNode node = entry.Node;
            if (directory && !node.IsDirectory)
                return ENOTDIR;
            if (!directory && node.IsDirectory)
                return EISDIR;
            if (directory && node.Entries!.Count > 0)
                return ENOTEMPTY;
            int denied = MayDelete(caller, dir, node);
            if (denied != 0)
                return denied;
            Timespec now = Timespec.Now();
            lock (dir.Gate)
            {
                dir.Entries.Remove(entry);
                if (directory)
                    dir.Nlink--;
                dir.Mtime = dir.Ctime = now;
            }
            lock (node.Gate)
            {
                node.Nlink = directory ? 0 : node.Nlink - 1;
                node.Ctime = now;
            }
            Collect(node);
            return 0;
        }
    }

    /// <summary>May the caller remove <paramref name="node"/> from <paramref name="dir"/> (write + search, sticky bit)?</summary>
    private int MayDelete(FuseRequestContext caller, MemoryNode dir, MemoryNode node)
    {
        if (!Check)
            return 0;
        if (!Permissions.Allowed(caller, dir, OpenFlags.W_OK | OpenFlags.X_OK))
            return EACCES;
        if ((dir.Mode & FileModes.S_ISVTX) != 0 && !caller.IsRoot && caller.Uid != dir.Uid && caller.Uid != node.Uid)
            return EPERM;
        return 0;
    }

    public int Rename(FuseRequestContext context, RenameRequest request)
    {
        if ((request.Flags & ~(RenameFlags.NoReplace | RenameFlags.Exchange)) != 0)
            return EINVAL; // RENAME_WHITEOUT: overlayfs only
        if ((request.Flags & RenameFlags.NoReplace) != 0 && (request.Flags & RenameFlags.Exchange) != 0)
            return EINVAL;
        lock (_tree)
        {
            MemoryNode? fromDir = Node(request.Parent);
            MemoryNode? toDir = Node(request.NewParent);
            if (fromDir is null || toDir is null)
                return ENOENT;
            if (!fromDir.IsDirectory || !toDir.IsDirectory)
                return ENOTDIR;
            DirEntry? from = fromDir.Entries!.Find(request.Name);
            if (from is null)
                return ENOENT;
            DirEntry? to = toDir.Entries!.Find(request.NewName);
            MemoryNode node = from.Node;

            if ((request.Flags & RenameFlags.Exchange) != 0)
                return Exchange(context, fromDir, from, toDir, to);
            if (to is not null && (request.Flags & RenameFlags.NoReplace) != 0)
                return EEXIST;
            if (to is not null && to.Node == node)
                return 0; // two names of one inode: nothing to do
            if (node.IsDirectory && IsAncestorOrSelf(node, toDir))
                return EINVAL;
            if (to is not null)
            {
                if (node.IsDirectory && !to.Node.IsDirectory)
                    return ENOTDIR;
                if (!node.IsDirectory && to.Node.IsDirectory)
                    return EISDIR;
                if (to.Node.IsDirectory && to.Node.Entries!.Count > 0)
                    return ENOTEMPTY;
            }
            int denied = MayDelete(context, fromDir, node);
            if (denied == 0 && to is not null)
                denied = MayDelete(context, toDir, to.Node);
            if (denied == 0 && Check && !Permissions.Allowed(context, toDir, OpenFlags.W_OK | OpenFlags.X_OK))
                denied = EACCES;
            if (denied == 0 && Check && node.IsDirectory && fromDir != toDir && !Permissions.Allowed(context, node, OpenFlags.W_OK))
                denied = EACCES; // its ".." changes
            if (denied != 0)
                return denied;
            if (node.IsDirectory && fromDir != toDir && to is null && toDir.Nlink >= MaxLinks)
                return EMLINK;

            Timespec now = Timespec.Now();
            if (to is not null)
            {
                MemoryNode replaced = to.Node;
                toDir.Entries.Remove(to);
                lock (replaced.Gate)
                {
                    replaced.Nlink = replaced.IsDirectory ? 0 : replaced.Nlink - 1;
                    replaced.Ctime = now;
                }
                if (replaced.IsDirectory)
                    toDir.Nlink--;
                Collect(replaced);
            }
            fromDir.Entries.Remove(from);
            toDir.Entries.Add(request.NewName, node);
            if (node.IsDirectory && fromDir != toDir)
            {
                fromDir.Nlink--;
                toDir.Nlink++;
                node.Parent = toDir;
            }
            lock (fromDir.Gate)
                fromDir.Mtime = fromDir.Ctime = now;
            lock (toDir.Gate)
                toDir.Mtime = toDir.Ctime = now;
            lock (node.Gate)
                node.Ctime = now;
            return 0;
        }
    }

    /// <summary>RENAME_EXCHANGE: swap two existing names atomically.</summary>
    private int Exchange(FuseRequestContext caller, MemoryNode fromDir, DirEntry from, MemoryNode toDir, DirEntry? to)
    {
        if (to is null)
            return ENOENT;
        MemoryNode a = from.Node, b = to.Node;
        if (a == b)
            return 0;
        if ((a.IsDirectory && IsAncestorOrSelf(a, toDir)) || (b.IsDirectory && IsAncestorOrSelf(b, fromDir)))
            return EINVAL;
        int denied = MayDelete(caller, fromDir, a);
        if (denied == 0)
            denied = MayDelete(caller, toDir, b);
        if (denied != 0)
            return denied;
        from.Node = b;
        to.Node = a;
        if (fromDir != toDir)
        {
            if (a.IsDirectory)
            {
                a.Parent = toDir;
                fromDir.Nlink--;
                toDir.Nlink++;
            }
            if (b.IsDirectory)
            {
                b.Parent = fromDir;
                toDir.Nlink--;
                fromDir.Nlink++;
            }
        }
        Timespec now = Timespec.Now();
        lock (fromDir.Gate)
            fromDir.Mtime = fromDir.Ctime = now;
        lock (toDir.Gate)
            toDir.Mtime = toDir.Ctime = now;
        lock (a.Gate)
            a.Ctime = now;
        lock (b.Gate)
            b.Ctime = now;
        return 0;
    }

    /// <summary>True when <paramref name="candidate"/> is <paramref name="dir"/> or one of its ancestors.</summary>
    private bool IsAncestorOrSelf(MemoryNode candidate, MemoryNode dir)
    {
        for (MemoryNode? at = dir; at is not null; at = at.Parent)
        {
            if (at == candidate)
                return true;
            if (at == _root)
                break;
        }
        return false;
    }
}
