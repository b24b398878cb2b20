using System.Runtime.CompilerServices;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using Microsoft.Extensions.Logging;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// CephFS served over FUSE: every request becomes one (or a few) <c>ceph_ll_*</c> calls on the hot-path API
/// (<see cref="CephLowLevel"/>), with the caller's credentials, and libcephfs's errors mapped as ceph-fuse maps them.
/// <list type="bullet">
/// <item>References: <see cref="NodeTable"/> (one ll reference per kernel lookup); file and directory handles in
/// <see cref="HandleTable{T}"/>; temporary references are given back on every path.</item>
/// <item>Caching: entries and attributes are cached by the kernel for <see cref="CephFsOptions.EntryTimeout"/> /
/// <see cref="CephFsOptions.AttrTimeout"/>; <see cref="Invalidator"/> turns libcephfs's cap-driven invalidations
/// into FUSE notifications. Permission checks are the kernel's (default_permissions, with POSIX ACLs when
/// <c>client_acl_type=posix_acl</c>) and libcephfs's (with the caller's UserPerm).</item>
/// </list>
/// This file: lifecycle, INIT, and helpers. Nodes.cs: names and attributes; Files.cs: open files; Directories.cs;
/// Xattr.cs; Locks.cs.
/// </summary>
internal sealed partial class CephFileSystem : IFuseFileSystem, Diagnostics.IReportsGauges, IDisposable
{
    /// <summary>What GETATTR and LOOKUP ask libcephfs for: everything struct stat has.</summary>
    private const StatxMask AttrWant = StatxMask.BasicStats;

    private readonly CephMount _mount;
    private readonly CephLowLevel _ceph;
    private readonly CephFsOptions _options;
    private readonly ILogger _log;
    private readonly NodeTable _nodes;
    private readonly HandleTable<FileHandle> _files = new();
    private readonly HandleTable<DirectoryHandle> _dirs = new();
    private readonly Credentials _credentials;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<InodePtr, byte> _posixLocked = new();
    private readonly Invalidator _invalidator;
    private readonly TimeSpan _entryTimeout;
    private readonly TimeSpan _attrTimeout;
    private Timer? _pruner;
    private FuseNotifier? _notifier;
    private bool _posixAclInKernel;
    private int _destroyed;
    private int _disposed;

    /// <summary>
    /// Serves the mounted <paramref name="mount"/> (taken over: disposing this unmounts it). Looks up the mount
    /// root and registers the invalidation callbacks.
    /// </summary>
    public CephFileSystem(CephMount mount, CephFsOptions options, ILogger log)
    {
        _mount = mount;
        _ceph = mount.LowLevel;
        _options = options;
        _log = log;
        _credentials = new Credentials(options.SupplementaryGroups);
        // Without the kernel's permission checks every path walk must reach libcephfs (as ceph-fuse's zero
        // timeouts ensure), or a cached name would let anybody through a directory they may not search.
        _entryTimeout = options.DefaultPermissions ? options.EntryTimeout : TimeSpan.Zero;
        _attrTimeout = options.AttrTimeout;

        int r = _ceph.LookupRoot(out InodePtr root);
        if (r < 0)
            throw new CephException(-r, "ceph_ll_lookup_root");
        r = _ceph.GetAttr(root, out CephStatx rootAttr, StatxMask.Ino, AtFlags.None, mount.DefaultPerms);
        if (r < 0)
        {
            _ceph.Put(root);
            throw new CephException(-r, "ceph_ll_getattr", "the mount root");
        }
        _nodes = new NodeTable(_ceph, root, rootAttr.VInode);
        _invalidator = new Invalidator(_nodes, log);
        var kinds = CephCallbackKinds.Invalidation | (options.PosixAcl ? CephCallbackKinds.Umask : CephCallbackKinds.None);
        mount.RegisterCallbacks(_invalidator, kinds);
    }

    /// <summary>The node table (tests and the admin socket read its counts).</summary>
    internal NodeTable Nodes => _nodes;

    /// <summary>Open files.</summary>
    internal int OpenFiles => _files.Count;

    /// <summary>Open directories.</summary>
    internal int OpenDirectories => _dirs.Count;

    /// <summary>The invalidation pump (tests wait for it to drain).</summary>
    internal Invalidator Invalidations => _invalidator;

    /// <summary>The mount (its admin socket, instance id).</summary>
    internal CephMount Mount => _mount;

    /// <summary>What the admin socket's <c>status</c> and the metrics endpoint report about the bridge.</summary>
    public IEnumerable<Diagnostics.Gauge> Gauges() =>
    [
        new("nodes", "inodes the kernel holds (each with ll references)", _nodes.Count),
        new("node_references", "ll references held for the kernel's lookups", _nodes.References),
        new("open_files", "open file handles", _files.Count),
        new("open_dirs", "open directory handles", _dirs.Count),
        new("user_perms", "cached UserPerm credential sets", _credentials.Count),
    ];

    public void Init(FuseConnectionInfo connection)
    {
        FuseInitFlags want = connection.Want;
        if (!_options.WritebackCache)
            want &= ~FuseInitFlags.WritebackCache;
        else
            _log.WritebackCacheRisk();
        // POSIX ACLs: the kernel enforces them (it needs default_permissions) from the ACL xattrs libcephfs keeps,
        // and leaves the umask to libcephfs, which applies it only where no default ACL is inherited.
        if (_options.PosixAcl && _options.DefaultPermissions)
            want |= FuseInitFlags.PosixAcl;
        else
            want &= ~FuseInitFlags.PosixAcl;
        // With ACLs the umask is libcephfs's to apply (only where no default ACL is inherited), so the kernel
        // must not strip it first (DONT_MASK); it comes with each CREATE/MKNOD/MKDIR for the umask callback.
        if (_options.PosixAcl)
            want |= FuseInitFlags.DontMask;
        else
            want &= ~FuseInitFlags.DontMask;
        connection.Want = want;
        _posixAclInKernel = (want & connection.KernelFlags & FuseInitFlags.PosixAcl) != 0;
        _notifier = connection.Notifier;
        _invalidator.Start(connection.Notifier);
        if (_options.CacheSize > 0)
            _pruner = new Timer(static state => ((CephFileSystem)state!).Prune(), this, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        if (_log.IsEnabled(LogLevel.Debug))
            _log.Connected(connection.ToString());
    }

    /// <summary>
    /// The session is over and has drained its requests: nothing will use a handle or node again. Give every
    /// reference, open file and open directory back to libcephfs (the kernel sends no FORGET for what it held at
    /// unmount).
    /// </summary>
    public void Destroy()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0)
            return;
        _pruner?.Dispose();
        _invalidator.Dispose();
        List<FileHandle> files = _files.RemoveAll();
        foreach (FileHandle file in files)
            _ceph.Close(file.Fh);
        List<DirectoryHandle> dirs = _dirs.RemoveAll();
        foreach (DirectoryHandle dir in dirs)
            CloseDirectory(dir);
        int nodes = _nodes.ReleaseAll();
        _log.Released(nodes, files.Count, dirs.Count);
    }

    /// <summary>Releases everything (see <see cref="Destroy"/>) and unmounts the Ceph client (ends its MDS session).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Destroy();
        try
        {
            if (_mount.IsMounted)
                _mount.Unmount();
        }
        catch (Exception e) when (e is CephException or InvalidOperationException)
        {
            _log.UnmountFailed(e.Message);
            try
            {
                _mount.Abort();
            }
            catch (CephException)
            {
            }
        }
        _mount.Dispose();
        _credentials.Dispose();
    }

    /// <summary>
    /// Keeps the kernel's inode cache (and with it libcephfs's, whose inodes the kernel pins) near
    /// <c>client_cache_size</c>: past it, ask the kernel to drop nodes idle for a while (NOTIFY_PRUNE, 7.45);
    /// the kernel forgets those it does not use, and libcephfs can trim them. Nothing in use is affected.
    /// </summary>
    private void Prune()
    {
        FuseNotifier? notifier = _notifier;
        int held = _nodes.Count;
        if (notifier is null || held <= _options.CacheSize || notifier.ProtocolMinor < 45)
            return;
        Span<ulong> batch = stackalloc ulong[256];
        int rounds = Math.Min((held - _options.CacheSize) / batch.Length + 1, 64);
        int total = 0;
        for (int i = 0; i < rounds; i++)
        {
            int count = _nodes.CollectIdle(batch, TimeSpan.FromSeconds(5));
            if (count == 0 || notifier.Prune(batch[..count]) != 0)
                break;
            total += count;
            if (count < batch.Length)
                break;
        }
        if (total > 0)
            _log.Pruning(total, held, _options.CacheSize);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>The errno for a negative libcephfs result (see <see cref="CephErrno"/>).</summary>
    private static int Fail(int cephResult) => CephErrno.ToFuse(cephResult);

    /// <summary>
    /// Hands <paramref name="inode"/> (whose one reference the caller holds) to the kernel in an entry reply:
    /// counts the lookup and fills <paramref name="entry"/>. On failure the reference is given back.
    /// </summary>
    private int ReplyEntry(InodePtr inode, in CephStatx attr, ref FuseEntryOut entry)
    {
        ulong nodeId = _nodes.Add(inode, attr.VInode);
        if (nodeId == 0)
            return EOVERFLOW; // an inode number or snapshot tag that does not fit a node ID
        FillEntry(ref entry, nodeId, attr);
        return 0;
    }

    private void FillEntry(ref FuseEntryOut entry, ulong nodeId, in CephStatx attr)
    {
        entry.NodeId = nodeId;
        entry.Generation = 0;
        entry.SetEntryTimeout(_entryTimeout);
        entry.SetAttrTimeout(_attrTimeout);
        FillAttr(ref entry.Attr, attr, NodeTable.StIno(attr.VInode, nodeId));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FillAttr(ref FuseAttr a, in CephStatx s, ulong stIno)
    {
        a.Ino = stIno;
        a.Size = s.Size;
        a.Blocks = s.Blocks;
        a.Atime = (ulong)s.ATime.Seconds;
        a.Mtime = (ulong)s.MTime.Seconds;
        a.Ctime = (ulong)s.CTime.Seconds;
        a.AtimeNsec = (uint)s.ATime.Nanoseconds;
        a.MtimeNsec = (uint)s.MTime.Nanoseconds;
        a.CtimeNsec = (uint)s.CTime.Nanoseconds;
        a.Mode = s.Mode;
        a.Nlink = s.NLink;
        a.Uid = s.Uid;
        a.Gid = s.Gid;
        a.Rdev = DeviceNumbers.ToFuse(s.RDev);
        a.Blksize = s.BlockSize;
    }

    // The prologue of every handler. The session guarantees that no request runs once it has stopped, so a node
    // or handle found here stays valid until the handler returns. A node the kernel names but this daemon does not
    // hold answers ESTALE; an unknown file handle EBADF.

    /// <summary>The inode of <paramref name="nodeId"/> (false: not held, answer ESTALE).</summary>
    private bool TryNode(ulong nodeId, out InodePtr inode)
    {
        inode = _nodes.Get(nodeId);
        return !inode.IsNull;
    }

    private bool TryNode(ulong nodeId, out InodePtr inode, out VInodeNo vino)
    {
        inode = _nodes.Get(nodeId, out vino);
        return !inode.IsNull;
    }

    /// <summary>The inode of <paramref name="nodeId"/> (null when not held: answer ESTALE) and the caller's
    /// credentials, to dispose when the request is done.</summary>
    private Credentials.Perms Enter(FuseRequestContext context, ulong nodeId, out InodePtr inode) =>
        TryNode(nodeId, out inode) ? _credentials.For(context) : default;

    private Credentials.Perms Enter(FuseRequestContext context, ulong nodeId, out InodePtr inode, out VInodeNo vino) =>
        TryNode(nodeId, out inode, out vino) ? _credentials.For(context) : default;

    /// <summary>The open file <paramref name="fh"/> (false: not open, answer EBADF).</summary>
    private bool TryFile(ulong fh, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FileHandle? file)
    {
        file = _files.Get(fh);
        return file is not null;
    }

    private static bool IsDotDot(ReadOnlySpan<byte> name) => name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.';

    private static bool IsDot(ReadOnlySpan<byte> name) => name.Length == 1 && name[0] == (byte)'.';
}

/// <summary>
/// Device numbers: the kernel's FUSE form (new_encode_dev) ↔ how CephFS stores them (the kernel's internal
/// dev_t, major &lt;&lt; 20 | minor), as ceph-fuse and the kernel client store them.
/// </summary>
internal static class DeviceNumbers
{
    private const int MinorBits = 20;
    private const uint MinorMask = (1U << MinorBits) - 1;

    public static uint ToFuse(ulong cephDev)
    {
        uint major = (uint)(cephDev >> MinorBits);
        uint minor = (uint)cephDev & MinorMask;
        return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
    }

    public static ulong FromFuse(uint fuseDev)
    {
        uint major = (fuseDev & 0xfff00) >> 8;
        uint minor = (fuseDev & 0xff) | ((fuseDev >> 12) & 0xfff00);
        return ((ulong)major << MinorBits) | minor;
    }
}
