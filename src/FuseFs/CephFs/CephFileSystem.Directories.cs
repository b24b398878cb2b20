using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.CephFs;

// Directories: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR.
internal sealed partial class CephFileSystem
{
    /// <summary>libcephfs's directory offsets: "." is 0, ".." is 1, the entries follow.</summary>
    private const long FirstEntryPosition = 2;

    public int OpenDir(FuseRequestContext context, OpenDirRequest request, ref FuseOpenOut open)
    {
        using Credentials.Perms perms = Enter(context, request.NodeId, out InodePtr inode);
        if (inode.IsNull)
            return ESTALE;
        int r = _ceph.OpenDir(inode, out DirPtr dir, perms.Ptr);
        if (r < 0)
            return Fail(r);
        // No CACHE_DIR: another client may change the directory at any time, so listings are not cached.
        open.Fh = _dirs.Add(new DirectoryHandle(dir, inode, request.NodeId));
        return 0;
    }

    public int ReadDir(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) =>
        ReadDirectory(request, ref writer, plus: false);

    /// <summary>
    /// READDIRPLUS: names with their attributes and a lookup each, from one <c>ceph_readdirplus_r</c> per entry —
    /// what makes <c>ls -l</c> cost one request per page of entries instead of a LOOKUP and a GETATTR per file.
    /// </summary>
    public int ReadDirPlus(FuseRequestContext context, ReadDirRequest request, ref DirectoryWriter writer) =>
        ReadDirectory(request, ref writer, plus: true);

    public int ReleaseDir(FuseRequestContext context, ReleaseDirRequest request)
    {
        DirectoryHandle? dir = _dirs.Remove(request.FileHandle);
        if (dir is null)
            return EBADF;
        return CloseDirectory(dir);
    }

    public int FsyncDir(FuseRequestContext context, FsyncDirRequest request)
    {
        if (!TryNode(request.NodeId, out InodePtr inode))
            return ESTALE;
        // ceph-fuse's ll_fsyncdir is _fsync on the directory inode: ceph_ll_sync_inode is that call.
        return Fail(_ceph.SyncInode(inode, request.DataOnly));
    }

    private int ReadDirectory(ReadDirRequest request, ref DirectoryWriter writer, bool plus)
    {
        DirectoryHandle? dir = _dirs.Get(request.FileHandle);
        if (dir is null)
            return EBADF;
        lock (dir.Gate)
        {
            if (request.Offset != dir.Position || (dir.HasPending && dir.PendingPlus != plus))
            {
                // A seek (rewinddir, telldir/seekdir, a second reader), or the kernel switched between READDIR
                // and READDIRPLUS: continue from the asked position with what this call needs.
                DropPending(dir);
                _ceph.SeekDir(dir.Dir, request.Offset);
                dir.Position = request.Offset;
            }
            while (true)
            {
                if (!dir.HasPending)
                {
                    int r;
                    InodePtr inode = default;
                    // "." and ".." (positions 0 and 1) are read without references: Pacific's readdir_r_cb takes
                    // one on the entry it looks ahead to and never drops it when that entry is "..", leaking a
                    // reference on the parent at every listing. The kernel takes no lookup on them anyway.
                    if (plus && dir.Position >= FirstEntryPosition)
                        r = _ceph.ReadDirPlus(dir.Dir, out dir.PendingEntry, out dir.PendingAttr, AttrWant, AtFlags.None, out inode);
                    else if (plus)
                        r = _ceph.ReadDirPlus(dir.Dir, out dir.PendingEntry, out dir.PendingAttr, AttrWant, AtFlags.None);
                    else
                        r = _ceph.ReadDirPlus(dir.Dir, out dir.PendingEntry, out dir.PendingAttr, StatxMask.None, AtFlags.StatxDontSync);
                    if (r == 0)
                        break; // the end
                    if (r < 0)
                        return writer.Count > 0 ? 0 : Fail(r); // what we have now; the error comes next time
                    dir.HasPending = true;
                    dir.PendingPlus = plus;
                    dir.PendingInode = inode;
                }
                ReadOnlySpan<byte> name = dir.PendingEntry.Name;
                if (!writer.HasRoomFor(name.Length))
                    break; // kept (with its reference) for the next call, which continues at dir.Position
                long next = dir.PendingEntry.Offset;
                if (plus)
                    AddPlus(dir, name, next, ref writer);
                else
                    writer.TryAdd(name, _nodes.StInoOfEntry(dir.PendingAttr.VInode), (uint)dir.PendingEntry.Type << 12, next);
                dir.HasPending = false;
                dir.PendingInode = default;
                dir.Position = next;
            }
        }
        return 0;
    }

    /// <summary>Adds the pending entry with its attributes; the entry's reference goes to the kernel with it
    /// ("." and ".." get none: the kernel neither uses nor counts them).</summary>
    private void AddPlus(DirectoryHandle dir, ReadOnlySpan<byte> name, long next, ref DirectoryWriter writer)
    {
        var entry = default(FuseEntryOut);
        InodePtr inode = dir.PendingInode;
        if (IsDot(name) || IsDotDot(name))
        {
            if (!inode.IsNull)
                _ceph.Put(inode);
            FillAttr(ref entry.Attr, dir.PendingAttr, dir.PendingAttr.Ino);
            writer.TryAddPlus(name, next, entry);
            return;
        }
        ulong nodeId = inode.IsNull ? 0 : _nodes.Add(inode, dir.PendingAttr.VInode);
        if (nodeId != 0)
        {
            FillEntry(ref entry, nodeId, dir.PendingAttr);
        }
        else
        {
            // Not numberable (or no reference): the name without a node; the kernel looks it up when used.
            FillAttr(ref entry.Attr, dir.PendingAttr, dir.PendingAttr.Ino);
        }
        writer.TryAddPlus(name, next, entry);
    }

    private void DropPending(DirectoryHandle dir)
    {
        if (dir.HasPending && !dir.PendingInode.IsNull)
            _ceph.Put(dir.PendingInode);
        dir.HasPending = false;
        dir.PendingInode = default;
    }

    private int CloseDirectory(DirectoryHandle dir)
    {
        lock (dir.Gate)
        {
            DropPending(dir);
            return Fail(_ceph.ReleaseDir(dir.Dir));
        }
    }
}
