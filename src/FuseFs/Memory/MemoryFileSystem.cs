using System.Collections.Concurrent;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

/// <summary>
/// A POSIX file system in memory: the test bed of the kernel layer and the FUSE-only performance baseline.
/// Node IDs are inode numbers, never reused. Locking: the tree lock (<c>_tree</c>) guards names, link counts,
/// lookup counts and open counts; each node's gate guards its attributes and data; the tree lock is taken first.
/// Hot paths (GETATTR, READ, WRITE) take only a node's gate.
/// This file: lifecycle, node table, LOOKUP, FORGET, GETATTR, SETATTR, STATX, ACCESS, STATFS.
/// </summary>
internal sealed partial class MemoryFileSystem : IFuseFileSystem, Diagnostics.IReportsGauges
{
    private const uint StatxBasicStats = 0x7FF, StatxBtime = 0x800;
    private readonly MemoryFileSystemOptions _options;
    private readonly Lock _tree = new();
    private readonly ConcurrentDictionary<ulong, MemoryNode> _nodes = new();
    private readonly ConcurrentDictionary<ulong, OpenFile> _handles = new();
    private readonly MemoryNode _root;
    private long _nextIno = (long)FuseProtocol.RootId;
    private long _nextHandle;

    public MemoryFileSystem(MemoryFileSystemOptions? options = null)
    {
        _options = options ?? new MemoryFileSystemOptions();
        _root = new MemoryNode(FuseProtocol.RootId, FileModes.S_IFDIR | (_options.RootMode & FileModes.PermissionBits), _options.RootUid, _options.RootGid, Timespec.Now())
        {
            Nlink = 2,
        };
        _root.Parent = _root;
        _root.Size = FileData.PageSize;
        _root.Lookups = 1; // the kernel's reference on the root is never forgotten
        _nodes[_root.Ino] = _root;
    }

    /// <summary>Inodes alive (linked, looked up or open).</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Open file and directory handles.</summary>
    public int HandleCount => _handles.Count;

    /// <summary>What the admin socket's <c>status</c> and the metrics endpoint report.</summary>
    public IEnumerable<Diagnostics.Gauge> Gauges() =>
    [
        new("nodes", "nodes in the tree", NodeCount),
        new("open_handles", "open file and directory handles", HandleCount),
    ];

    /// <summary>Sum of the lookup references the kernel holds (root excluded).</summary>
    public ulong LookupReferences
    {
        get
        {
            lock (_tree)
            {
                ulong total = 0;
                foreach (MemoryNode node in _nodes.Values)
                    total += node == _root ? 0 : node.Lookups;
                return total;
            }
        }
    }

    private bool Check => _options.CheckPermissions;

    public void Destroy()
    {
        _handles.Clear();
    }

    private MemoryNode? Node(ulong nodeId) => _nodes.TryGetValue(nodeId, out MemoryNode? node) ? node : null;

    private OpenFile? Handle(ulong fh) => _handles.TryGetValue(fh, out OpenFile? file) ? file : null;

    /// <summary>Drops a node nothing refers to any more (call under the tree lock).</summary>
    private void Collect(MemoryNode node)
    {
        if (node.Nlink == 0 && node.Lookups == 0 && node.Opens == 0 && node != _root)
            _nodes.TryRemove(node.Ino, out _);
    }

    /// <summary>Fills an entry reply for <paramref name="node"/> and counts the kernel's new lookup reference
    /// (call under the tree lock).</summary>
    private void ReplyEntry(MemoryNode node, ref FuseEntryOut entry)
    {
        node.Lookups++;
        entry.NodeId = node.Ino;
        entry.Generation = 0;
        entry.SetEntryTimeout(_options.EntryTimeout);
        entry.SetAttrTimeout(_options.AttrTimeout);
        lock (node.Gate)
            node.Fill(ref entry.Attr);
    }

    public int Lookup(FuseRequestContext context, LookupRequest request, ref FuseEntryOut entry)
    {
        MemoryNode? dir = Node(request.Parent);
        if (dir is null)
            return ENOENT;
        if (!dir.IsDirectory)
            return ENOTDIR;
        lock (_tree)
        {
            if (Check && !Permissions.Allowed(context, dir, OpenFlags.X_OK))
                return EACCES;
            MemoryNode? child;
            if (request.Name.SequenceEqual("."u8))
                child = dir;
            else if (request.Name.SequenceEqual(".."u8))
                child = dir.Parent;
            else
                child = dir.Entries!.Find(request.Name)?.Node;
            if (child is null)
                return ENOENT;
            ReplyEntry(child, ref entry);
            return 0;
        }
    }

    public void Forget(ReadOnlySpan<FuseForgetOne> nodes)
    {
        lock (_tree)
        {
            foreach (FuseForgetOne forget in nodes)
            {
                MemoryNode? node = Node(forget.NodeId);
                if (node is null || node == _root)
                    continue;
                node.Lookups = forget.Nlookup >= node.Lookups ? 0 : node.Lookups - forget.Nlookup;
                Collect(node);
            }
        }
    }

    public int GetAttr(FuseRequestContext context, GetAttrRequest request, ref FuseAttrOut attr)
    {
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        lock (node.Gate)
            node.Fill(ref attr.Attr);
        attr.SetAttrTimeout(_options.AttrTimeout);
        return 0;
    }

    public int Statx(FuseRequestContext context, StatxRequest request, ref FuseStatxOut statx)
    {
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        FuseAttr attr = default;
        Timespec btime;
        lock (node.Gate)
        {
            node.Fill(ref attr);
            btime = node.Btime;
        }
        ref FuseStatx stat = ref statx.Stat;
        stat.Mask = StatxBasicStats | StatxBtime;
        stat.Blksize = attr.Blksize;
        stat.Nlink = attr.Nlink;
        stat.Uid = attr.Uid;
        stat.Gid = attr.Gid;
        stat.Mode = (ushort)attr.Mode;
        stat.Ino = attr.Ino;
        stat.Size = attr.Size;
        stat.Blocks = attr.Blocks;
        stat.Atime = new FuseSxTime { TvSec = (long)attr.Atime, TvNsec = attr.AtimeNsec };
        stat.Mtime = new FuseSxTime { TvSec = (long)attr.Mtime, TvNsec = attr.MtimeNsec };
        stat.Ctime = new FuseSxTime { TvSec = (long)attr.Ctime, TvNsec = attr.CtimeNsec };
        stat.Btime = new FuseSxTime { TvSec = btime.Seconds, TvNsec = btime.Nanoseconds };
        stat.RdevMajor = (attr.Rdev >> 8) & 0xFFF;
        stat.RdevMinor = (attr.Rdev & 0xFF) | ((attr.Rdev >> 12) & 0xFFF00);
        statx.SetAttrTimeout(_options.AttrTimeout);
        return 0;
    }

    public int SetAttr(FuseRequestContext context, SetAttrRequest request, ref FuseAttrOut attr)
    {
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        if (request.Has(FuseSetAttrValid.Size) && request.FileHandle is ulong fh && Handle(fh) is { } file &&
            (file.Flags & OpenFlags.O_ACCMODE) == OpenFlags.O_RDONLY)
            return EBADF; // ftruncate on a read-only descriptor (the kernel checks too; be safe)
        lock (node.Gate)
        {
            int result = ApplySetAttr(context, node, request);
            if (result != 0)
                return result;
            node.Fill(ref attr.Attr);
        }
        attr.SetAttrTimeout(_options.AttrTimeout);
        return 0;
    }

    private int ApplySetAttr(FuseRequestContext caller, MemoryNode node, SetAttrRequest request)
    {
        Timespec now = Timespec.Now();
        bool owner = caller.IsRoot || caller.Uid == node.Uid;

        if (request.Has(FuseSetAttrValid.Size))
        {
            if (node.IsDirectory)
                return EISDIR;
            if (!node.IsRegular)
                return EINVAL;
            if ((long)request.Size < 0)
                return EFBIG;
            if (Check && request.FileHandle is null && !Permissions.Allowed(caller, node, OpenFlags.W_OK))
                return EACCES;
        }
        if (Check)
        {
            if (request.Has(FuseSetAttrValid.Mode) && !owner)
                return EPERM;
            // chown(2) as Linux's chown_ok/chgrp_ok: only the owner, keeping the uid and giving a group it is in
            if (request.Has(FuseSetAttrValid.Uid) && !caller.IsRoot && (caller.Uid != node.Uid || request.Uid != node.Uid))
                return EPERM;
            if (request.Has(FuseSetAttrValid.Gid) && !caller.IsRoot &&
                (caller.Uid != node.Uid || (request.Gid != node.Gid && !caller.IsInGroup(request.Gid))))
                return EPERM;
            bool explicitTimes = (request.Has(FuseSetAttrValid.Atime) && !request.Has(FuseSetAttrValid.AtimeNow)) ||
                (request.Has(FuseSetAttrValid.Mtime) && !request.Has(FuseSetAttrValid.MtimeNow));
            bool anyTime = request.Has(FuseSetAttrValid.Atime) || request.Has(FuseSetAttrValid.Mtime);
            if (anyTime && !owner && (explicitTimes || !Permissions.Allowed(caller, node, OpenFlags.W_OK)))
                return explicitTimes ? EPERM : EACCES;
        }

        if (request.Has(FuseSetAttrValid.Mode))
        {
            uint mode = request.Mode & FileModes.PermissionBits;
            if (Check && !caller.IsRoot && !caller.IsInGroup(node.Gid))
                mode &= ~FileModes.S_ISGID; // as chmod(2): only a member of the group may set set-group-ID
            node.Mode = (node.Mode & FileModes.S_IFMT) | mode;
        }
        bool ownerChanged = false;
        if (request.Has(FuseSetAttrValid.Uid) && request.Uid != uint.MaxValue)
        {
            ownerChanged |= node.Uid != request.Uid;
            node.Uid = request.Uid;
        }
        if (request.Has(FuseSetAttrValid.Gid) && request.Gid != uint.MaxValue)
        {
            ownerChanged |= node.Gid != request.Gid;
            node.Gid = request.Gid;
        }
        if (request.Has(FuseSetAttrValid.KillSuidgid) || (Check && ownerChanged && !caller.IsRoot))
            KillSuidgid(node);
        if (request.Has(FuseSetAttrValid.Size))
        {
            long size = (long)request.Size;
            if (size != node.Size)
            {
                if (size < node.Size)
                    node.Data!.Truncate(size);
                node.Size = size;
            }
            node.Mtime = now; // truncate(2) updates mtime and ctime even when the size is unchanged
        }
        if (request.Has(FuseSetAttrValid.Atime))
        {
            node.Atime = request.Has(FuseSetAttrValid.AtimeNow) ? now : new Timespec(request.AtimeSeconds, request.AtimeNanoseconds);
        }
        if (request.Has(FuseSetAttrValid.Mtime))
        {
            node.Mtime = request.Has(FuseSetAttrValid.MtimeNow) ? now : new Timespec(request.MtimeSeconds, request.MtimeNanoseconds);
        }
        // Every attribute change moves ctime, even chown(-1, -1) which arrives with nothing else valid (as tmpfs).
        node.Ctime = request.Has(FuseSetAttrValid.Ctime) ? new Timespec(request.CtimeSeconds, request.CtimeNanoseconds) : now;
        return 0;
    }

    /// <summary>Clears set-user-ID, and set-group-ID when group execute is set (a write, truncate or chown by a
    /// user without CAP_FSETID).</summary>
    private static void KillSuidgid(MemoryNode node)
    {
        if (node.IsDirectory)
            return;
        node.Mode &= ~FileModes.S_ISUID;
        if ((node.Mode & 0x8) != 0)
            node.Mode &= ~FileModes.S_ISGID;
    }

    public int Access(FuseRequestContext context, AccessRequest request)
    {
        MemoryNode? node = Node(request.NodeId);
        if (node is null)
            return ENOENT;
        return !Check || Permissions.Allowed(context, node, request.Mask & 7) ? 0 : EACCES;
    }

    public int StatFs(FuseRequestContext context, StatFsRequest request, ref FuseKstatfs statfs)
    {
        long pages = 0;
        foreach (MemoryNode node in _nodes.Values)
            pages += node.Data?.AllocatedPages ?? 0;
        long total = _options.CapacityBytes / FileData.PageSize;
        statfs.Bsize = FileData.PageSize;
        statfs.Frsize = FileData.PageSize;
        statfs.Blocks = (ulong)total;
        statfs.Bfree = (ulong)Math.Max(0, total - pages);
        statfs.Bavail = statfs.Bfree;
        statfs.Files = (ulong)_options.MaxInodes;
        statfs.Ffree = (ulong)Math.Max(0, _options.MaxInodes - _nodes.Count);
        statfs.Namelen = 255;
        return 0;
    }
}
