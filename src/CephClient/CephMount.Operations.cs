using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ManagedCephFuse.CephClient.Native;

namespace ManagedCephFuse.CephClient;

/// <summary>One entry of a directory listing (no inode reference is held).</summary>
/// <param name="Name">The entry's name.</param>
/// <param name="Ino">Its inode number.</param>
/// <param name="Type">Its file type.</param>
/// <param name="NextOffset">telldir after this entry: <see cref="CephMount.SeekDir"/> to it resumes after it.</param>
/// <param name="Attr">Its attributes.</param>
public sealed record CephDirEntry(string Name, ulong Ino, DirentType Type, long NextOffset, CephStatx Attr);

// The throwing convenience layer: SafeHandle-owning results, CephException on failure
// ("ENOENT from ceph_ll_lookup(\"x\")"). A null UserPerm means the mount's own credentials.
[SkipLocalsInit]
public sealed partial class CephMount
{
    private const StatxMask AllStats = StatxMask.AllStats;

    // ---- inode references ---------------------------------------------------------------------------

    /// <summary>The mount's root directory (ceph_ll_lookup_root).</summary>
    public CephInode LookupRoot()
    {
        Check(LowLevel.LookupRoot(out var root), "ceph_ll_lookup_root", null);
        return Own(root, "ceph_ll_lookup_root", null);
    }

    /// <summary><paramref name="name"/> in <paramref name="parent"/> (ceph_ll_lookup).</summary>
    public CephInode Lookup(CephInode parent, string name, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.Lookup(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), out var child,
            out var attr, StatxMask.Ino, AtFlags.None, Perms(perm));
        Check(r, "ceph_ll_lookup", Quote(name));
        return new CephInode(_handle, child, attr.VInode);
    }

    /// <summary>The live inode numbered <paramref name="ino"/>, from the MDS when not cached (ceph_ll_lookup_inode).</summary>
    public CephInode LookupInode(ulong ino)
    {
        Check(LowLevel.LookupInode(ino, out var inode), "ceph_ll_lookup_inode", $"0x{ino:x}");
        return new CephInode(_handle, inode, VInodeNo.Head(ino));
    }

    /// <summary>An inode of the live tree or of a snapshot (ceph_ll_lookup_vino).</summary>
    public CephInode LookupVino(VInodeNo vino)
    {
        Check(LowLevel.LookupVino(vino, out var inode), "ceph_ll_lookup_vino", vino.ToString());
        return new CephInode(_handle, inode, vino);
    }

    /// <summary>The inode if this client has it cached, else null (ceph_ll_get_inode).</summary>
    public CephInode? GetCachedInode(VInodeNo vino)
    {
        var inode = LowLevel.GetInode(vino);
        return inode.IsNull ? null : new CephInode(_handle, inode, vino);
    }

    /// <summary>A path from the mount root (ceph_ll_walk).</summary>
    public CephInode Walk(string path, bool followFinalSymlink = true, UserPerm? perm = null)
    {
        using var u = new Lease(perm);
        int r = LowLevel.Walk(Utf8Z.Encode(path, stackalloc byte[Utf8Z.NameBuffer]), out var inode, out var attr,
            StatxMask.Ino, followFinalSymlink ? AtFlags.None : AtFlags.SymlinkNoFollow, Perms(perm));
        Check(r, "ceph_ll_walk", Quote(path));
        return new CephInode(_handle, inode, attr.VInode);
    }

    // ---- attributes ---------------------------------------------------------------------------------

    /// <summary>ceph_ll_getattr.</summary>
    public CephStatx GetAttr(CephInode inode, StatxMask want = AllStats, AtFlags flags = AtFlags.None, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        Check(LowLevel.GetAttr(inode.Raw, out var attr, want, flags, Perms(perm)), "ceph_ll_getattr", inode.ToString());
        return attr;
    }

    /// <summary>ceph_ll_setattr of the fields selected by <paramref name="mask"/>.</summary>
    public void SetAttr(CephInode inode, in CephStatx attr, SetAttrMask mask, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        Check(LowLevel.SetAttr(inode.Raw, attr, mask, Perms(perm)), "ceph_ll_setattr", $"{inode}, {mask}");
    }

    /// <summary>ceph_ll_statfs.</summary>
    public StatVfs StatFs(CephInode inode)
    {
        using var i = new Lease(inode);
        Check(LowLevel.StatFs(inode.Raw, out var stat), "ceph_ll_statfs", inode.ToString());
        return stat;
    }

    /// <summary>ceph_ll_snap_seq: the inode's snap realm sequence.</summary>
    public ulong SnapSeq(CephInode inode)
    {
        using var i = new Lease(inode);
        return LowLevel.SnapSeq(inode.Raw);
    }

    // ---- namespace ----------------------------------------------------------------------------------

    /// <summary>ceph_ll_create with O_CREAT added to <paramref name="flags"/>: the new (or, without O_EXCL,
    /// existing) file, open.</summary>
    public (CephInode Inode, CephFile File) Create(CephInode parent, string name, uint mode, OpenFlags flags,
        UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.Create(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), mode,
            flags | OpenFlags.Create, out var inode, out var file, out var attr, StatxMask.Ino, AtFlags.None, Perms(perm));
        Check(r, "ceph_ll_create", Quote(name));
        var owned = new CephInode(_handle, inode, attr.VInode);
        return (owned, new CephFile(_handle, file, attr.VInode));
    }

    /// <summary>ceph_ll_mknod (<paramref name="mode"/> includes the file type).</summary>
    public CephInode MkNod(CephInode parent, string name, uint mode, ulong rdev = 0, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.MkNod(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), mode, rdev,
            out var inode, out var attr, StatxMask.Ino, AtFlags.None, Perms(perm));
        Check(r, "ceph_ll_mknod", Quote(name));
        return new CephInode(_handle, inode, attr.VInode);
    }

    /// <summary>ceph_ll_mkdir (in a <c>.snap</c> directory: take a snapshot).</summary>
    public CephInode MkDir(CephInode parent, string name, uint mode = 0x1ED /* 0755 */, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.MkDir(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), mode,
            out var inode, out var attr, StatxMask.Ino, AtFlags.None, Perms(perm));
        Check(r, "ceph_ll_mkdir", Quote(name));
        return new CephInode(_handle, inode, attr.VInode);
    }

    /// <summary>ceph_ll_symlink.</summary>
    public CephInode Symlink(CephInode parent, string name, string target, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.Symlink(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]),
            Utf8Z.Encode(target, stackalloc byte[Utf8Z.NameBuffer]), out var inode, out var attr, StatxMask.Ino,
            AtFlags.None, Perms(perm));
        Check(r, "ceph_ll_symlink", $"{Quote(name)} -> {Quote(target)}");
        return new CephInode(_handle, inode, attr.VInode);
    }

    /// <summary>ceph_ll_readlink.</summary>
    public string ReadLink(CephInode inode, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        Span<byte> buffer = stackalloc byte[Utf8Z.PathBuffer];
        int r = Check(LowLevel.ReadLink(inode.Raw, buffer, Perms(perm)), "ceph_ll_readlink", inode.ToString());
        return Encoding.UTF8.GetString(buffer[..r]);
    }

    /// <summary>ceph_ll_link: <paramref name="inode"/> gets the name <paramref name="newName"/> in
    /// <paramref name="newParent"/>.</summary>
    public void Link(CephInode inode, CephInode newParent, string newName, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var p = new Lease(newParent);
        using var u = new Lease(perm);
        int r = LowLevel.Link(inode.Raw, newParent.Raw, Utf8Z.Encode(newName, stackalloc byte[Utf8Z.NameBuffer]), Perms(perm));
        Check(r, "ceph_ll_link", $"{inode} as {Quote(newName)}");
    }

    /// <summary>ceph_ll_unlink.</summary>
    public void Unlink(CephInode parent, string name, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.Unlink(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), Perms(perm));
        Check(r, "ceph_ll_unlink", Quote(name));
    }

    /// <summary>ceph_ll_rmdir.</summary>
    public void RmDir(CephInode parent, string name, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var u = new Lease(perm);
        int r = LowLevel.RmDir(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), Perms(perm));
        Check(r, "ceph_ll_rmdir", Quote(name));
    }

    /// <summary>ceph_ll_rename.</summary>
    public void Rename(CephInode parent, string name, CephInode newParent, string newName, UserPerm? perm = null)
    {
        using var p = new Lease(parent);
        using var n = new Lease(newParent);
        using var u = new Lease(perm);
        int r = LowLevel.Rename(parent.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), newParent.Raw,
            Utf8Z.Encode(newName, stackalloc byte[Utf8Z.NameBuffer]), Perms(perm));
        Check(r, "ceph_ll_rename", $"{Quote(name)} -> {Quote(newName)}");
    }

    // ---- files --------------------------------------------------------------------------------------

    /// <summary>ceph_ll_open.</summary>
    public CephFile Open(CephInode inode, OpenFlags flags, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        Check(LowLevel.Open(inode.Raw, flags, out var file, Perms(perm)), "ceph_ll_open", $"{inode}, {flags}");
        return new CephFile(_handle, file, inode.VInode);
    }

    /// <summary>ceph_ll_read: the bytes read into <paramref name="buffer"/> (0 at end of file).</summary>
    public int Read(CephFile file, long offset, Span<byte> buffer)
    {
        using var f = new Lease(file);
        return Check(LowLevel.Read(file.Raw, offset, buffer), "ceph_ll_read", $"{file} at {offset}, {buffer.Length} bytes");
    }

    /// <summary>ceph_ll_write: the bytes written.</summary>
    public int Write(CephFile file, long offset, ReadOnlySpan<byte> data)
    {
        using var f = new Lease(file);
        return Check(LowLevel.Write(file.Raw, offset, data), "ceph_ll_write", $"{file} at {offset}, {data.Length} bytes");
    }

    /// <summary>ceph_ll_readv scattering into <paramref name="buffers"/>.</summary>
    public unsafe long ReadV(CephFile file, long offset, IReadOnlyList<Memory<byte>> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        using var f = new Lease(file);
        var pins = new MemoryHandle[buffers.Count];
        var iov = new IoVec[buffers.Count];
        try
        {
            for (int i = 0; i < buffers.Count; i++)
            {
                pins[i] = buffers[i].Pin();
                iov[i] = new IoVec(pins[i].Pointer, (nuint)buffers[i].Length);
            }
            return Check(LowLevel.ReadV(file.Raw, offset, iov), "ceph_ll_readv", $"{file} at {offset}, {buffers.Count} buffers");
        }
        finally
        {
            foreach (var pin in pins)
                pin.Dispose();
        }
    }

    /// <summary>ceph_ll_writev gathering <paramref name="buffers"/>.</summary>
    public unsafe long WriteV(CephFile file, long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        using var f = new Lease(file);
        var pins = new MemoryHandle[buffers.Count];
        var iov = new IoVec[buffers.Count];
        try
        {
            for (int i = 0; i < buffers.Count; i++)
            {
                pins[i] = buffers[i].Pin();
                iov[i] = new IoVec(pins[i].Pointer, (nuint)buffers[i].Length);
            }
            return Check(LowLevel.WriteV(file.Raw, offset, iov), "ceph_ll_writev", $"{file} at {offset}, {buffers.Count} buffers");
        }
        finally
        {
            foreach (var pin in pins)
                pin.Dispose();
        }
    }

    /// <summary>ceph_ll_lseek (SEEK_DATA/SEEK_HOLE included; ENXIO past the end).</summary>
    public long Seek(CephFile file, long offset, SeekWhence whence)
    {
        using var f = new Lease(file);
        return Check(LowLevel.Lseek(file.Raw, offset, whence), "ceph_ll_lseek", $"{file}, {offset}, {whence}");
    }

    /// <summary>ceph_ll_fsync.</summary>
    public void Fsync(CephFile file, bool dataOnly = false)
    {
        using var f = new Lease(file);
        Check(LowLevel.Fsync(file.Raw, dataOnly), "ceph_ll_fsync", file.ToString());
    }

    /// <summary>ceph_ll_sync_inode.</summary>
    public void SyncInode(CephInode inode, bool dataOnly = false)
    {
        using var i = new Lease(inode);
        Check(LowLevel.SyncInode(inode.Raw, dataOnly), "ceph_ll_sync_inode", inode.ToString());
    }

    /// <summary>ceph_ll_fallocate.</summary>
    public void Fallocate(CephFile file, FallocateMode mode, long offset, long length)
    {
        using var f = new Lease(file);
        Check(LowLevel.Fallocate(file.Raw, mode, offset, length), "ceph_ll_fallocate", $"{file}, {mode}, {offset}+{length}");
    }

    /// <summary>ceph_ll_getlk: the lock that conflicts with <paramref name="request"/>, or null when none does.</summary>
    public Flock? GetLock(CephFile file, Flock request, ulong owner)
    {
        using var f = new Lease(file);
        Check(LowLevel.GetLk(file.Raw, ref request, owner), "ceph_ll_getlk", $"{file}, {request.LockType}");
        return request.LockType == LockType.Unlock ? null : request;
    }

    /// <summary>ceph_ll_setlk: take or release a lock; EAGAIN on conflict unless <paramref name="wait"/>.</summary>
    public void SetLock(CephFile file, Flock request, ulong owner, bool wait)
    {
        using var f = new Lease(file);
        Check(LowLevel.SetLk(file.Raw, request, owner, wait), "ceph_ll_setlk", $"{file}, {request.LockType} {request.Start}+{request.Length}");
    }

    // ---- directories --------------------------------------------------------------------------------

    /// <summary>ceph_ll_opendir.</summary>
    public CephDirectory OpenDir(CephInode inode, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        Check(LowLevel.OpenDir(inode.Raw, out var dir, Perms(perm)), "ceph_ll_opendir", inode.ToString());
        return new CephDirectory(_handle, dir, inode.VInode);
    }

    /// <summary>ceph_readdirplus_r: the next entry ("." and ".." included), or null at the end.</summary>
    public CephDirEntry? ReadDir(CephDirectory dir, StatxMask want = StatxMask.BasicStats)
    {
        using var d = new Lease(dir);
        int r = Check(LowLevel.ReadDirPlus(dir.Raw, out Dirent entry, out CephStatx attr, want, AtFlags.None),
            "ceph_readdirplus_r", dir.ToString());
        if (r == 0)
            return null;
        long next = LowLevel.TellDir(dir.Raw);
        return new CephDirEntry(Encoding.UTF8.GetString(entry.Name), entry.Ino, entry.EntryType, next, attr);
    }

    /// <summary>Every entry of a directory except "." and "..".</summary>
    public List<CephDirEntry> ListDirectory(CephInode directory, UserPerm? perm = null)
    {
        using var dir = OpenDir(directory, perm);
        var entries = new List<CephDirEntry>();
        while (ReadDir(dir) is { } entry)
        {
            if (entry.Name is not ("." or ".."))
                entries.Add(entry);
        }
        return entries;
    }

    /// <summary>ceph_telldir.</summary>
    public long TellDir(CephDirectory dir)
    {
        using var d = new Lease(dir);
        return Check(LowLevel.TellDir(dir.Raw), "ceph_telldir", dir.ToString());
    }

    /// <summary>ceph_seekdir.</summary>
    public void SeekDir(CephDirectory dir, long offset)
    {
        using var d = new Lease(dir);
        LowLevel.SeekDir(dir.Raw, offset);
    }

    // ---- extended attributes ------------------------------------------------------------------------

    /// <summary>ceph_ll_getxattr: the value (sized with a probe first).</summary>
    public byte[] GetXattr(CephInode inode, string name, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        Span<byte> z = stackalloc byte[Utf8Z.NameBuffer];
        var zname = Utf8Z.Encode(name, z);
        while (true)
        {
            int size = Check(LowLevel.GetXattr(inode.Raw, zname, default, Perms(perm)), "ceph_ll_getxattr", Quote(name));
            var value = new byte[size];
            int r = LowLevel.GetXattr(inode.Raw, zname, value, Perms(perm));
            if (r == -Errno.ERANGE)
                continue; // grew between probe and read
            Check(r, "ceph_ll_getxattr", Quote(name));
            return r == size ? value : value[..r];
        }
    }

    /// <summary>ceph_ll_getxattr as UTF-8 text (Ceph's virtual xattrs are text).</summary>
    public string GetXattrText(CephInode inode, string name, UserPerm? perm = null) =>
        Encoding.UTF8.GetString(GetXattr(inode, name, perm));

    /// <summary>ceph_ll_setxattr.</summary>
    public void SetXattr(CephInode inode, string name, ReadOnlySpan<byte> value, XattrFlags flags = XattrFlags.None,
        UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        int r = LowLevel.SetXattr(inode.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), value, flags, Perms(perm));
        Check(r, "ceph_ll_setxattr", Quote(name));
    }

    /// <summary>ceph_ll_setxattr of UTF-8 text (e.g. <c>ceph.quota.max_bytes</c>).</summary>
    public void SetXattr(CephInode inode, string name, string value, XattrFlags flags = XattrFlags.None,
        UserPerm? perm = null) => SetXattr(inode, name, Encoding.UTF8.GetBytes(value), flags, perm);

    /// <summary>ceph_ll_listxattr: the names.</summary>
    public List<string> ListXattr(CephInode inode, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        while (true)
        {
            int size = Check(LowLevel.ListXattr(inode.Raw, default, Perms(perm)), "ceph_ll_listxattr", inode.ToString());
            var list = new byte[size];
            int r = LowLevel.ListXattr(inode.Raw, list, Perms(perm));
            if (r == -Errno.ERANGE)
                continue;
            Check(r, "ceph_ll_listxattr", inode.ToString());
            var names = new List<string>();
            foreach (var range in list.AsSpan(0, r).Split((byte)0))
            {
                if (range.End.Value > range.Start.Value)
                    names.Add(Encoding.UTF8.GetString(list.AsSpan(range)));
            }
            return names;
        }
    }

    /// <summary>ceph_ll_removexattr.</summary>
    public void RemoveXattr(CephInode inode, string name, UserPerm? perm = null)
    {
        using var i = new Lease(inode);
        using var u = new Lease(perm);
        int r = LowLevel.RemoveXattr(inode.Raw, Utf8Z.Encode(name, stackalloc byte[Utf8Z.NameBuffer]), Perms(perm));
        Check(r, "ceph_ll_removexattr", Quote(name));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private UserPermPtr Perms(UserPerm? perm) => perm?.Raw ?? DefaultPerms;

    private CephInode Own(InodePtr inode, string call, string? arguments)
    {
        int r = LowLevel.GetAttr(inode, out var attr, StatxMask.Ino, AtFlags.StatxDontSync, DefaultPerms);
        if (r < 0)
        {
            LowLevel.Put(inode);
            throw new CephException(-r, call, arguments);
        }
        return new CephInode(_handle, inode, attr.VInode);
    }

    private static int Check(int result, string call, string? arguments) =>
        result < 0 ? throw new CephException(-result, call, arguments) : result;

    private static long Check(long result, string call, string? arguments) =>
        result < 0 ? throw new CephException((int)-result, call, arguments) : result;

    /// <summary>Holds a SafeHandle reference for the duration of a native call (null: nothing to hold).</summary>
    private ref struct Lease
    {
        private SafeHandle? _handle;

        public Lease(SafeHandle? handle)
        {
            if (handle is null)
                return;
            bool added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
        }

        public void Dispose()
        {
            _handle?.DangerousRelease();
            _handle = null;
        }
    }
}
