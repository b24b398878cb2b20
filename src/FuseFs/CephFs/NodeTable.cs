using System.Diagnostics;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// The kernel's node IDs and the libcephfs inodes behind them, with the kernel's lookup counts.
/// <list type="bullet">
/// <item><b>One ll reference per lookup.</b> Every reply that hands the kernel a node ID adds one to its count
/// and hands this table the ll reference libcephfs returned with the inode; FORGET(n) gives n of them back with
/// <c>ceph_ll_forget(inode, n)</c>. So the references this table holds always equal the kernel's counts.
/// The mount root (node ID 1, never forgotten) holds exactly one reference for the life of the mount.</item>
/// <item><b>Node IDs from inode numbers</b>, as ceph-fuse makes them: <c>ino | stag &lt;&lt; 48</c>, stag 0 for the
/// live tree, 1 for a <c>.snap</c> directory, 2…0xffff allocated per inode for each snapshot it is seen in (freed
/// when the kernel forgets the last node using it). A restarted daemon can resolve a live node ID with
/// <c>ceph_ll_lookup_inode(nodeId)</c>.</item>
/// <item>libcephfs is never called under the table's lock (it takes its own client lock).</item>
/// </list>
/// </summary>
internal sealed class NodeTable
{
    private const int StagShift = 48;
    private const ulong InoMask = (1UL << StagShift) - 1;
    private const int HeadStag = 0, SnapDirStag = 1, FirstSnapStag = 2, LastStag = 0xffff;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Node> _nodes = new();
    private readonly Dictionary<ulong, SnapTags> _snapTags = new(); // by Ceph inode number
    private readonly CephLowLevel _ceph;

    public NodeTable(CephLowLevel ceph, InodePtr root, VInodeNo rootVino)
    {
        _ceph = ceph;
        Root = root;
        RootVino = rootVino;
    }

    /// <summary>The mount root (node ID 1); this table holds one reference on it.</summary>
    public InodePtr Root { get; }

    /// <summary>The mount root's (ino, snapid).</summary>
    public VInodeNo RootVino { get; }

    /// <summary>Nodes the kernel holds (the root not counted).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _nodes.Count;
        }
    }

    /// <summary>The sum of the kernel's lookup counts, i.e. the ll references this table holds besides the root's.</summary>
    public long References
    {
        get
        {
            lock (_lock)
            {
                long total = 0;
                foreach (Node node in _nodes.Values)
                    total += node.Lookups;
                return total;
            }
        }
    }

    /// <summary>The inode behind <paramref name="nodeId"/>, or a null pointer for a node ID the kernel does not hold.
    /// Valid while the request about it runs (the kernel forgets a node only once nothing uses it).</summary>
    public InodePtr Get(ulong nodeId)
    {
        if (nodeId == FuseProtocol.RootId)
            return Root;
        lock (_lock)
            return _nodes.TryGetValue(nodeId, out Node? node) ? node.Inode : default;
    }

    /// <summary>As <see cref="Get"/>, with the inode's (ino, snapid).</summary>
    public InodePtr Get(ulong nodeId, out VInodeNo vino)
    {
        if (nodeId == FuseProtocol.RootId)
        {
            vino = RootVino;
            return Root;
        }
        lock (_lock)
        {
            if (_nodes.TryGetValue(nodeId, out Node? node))
            {
                vino = node.Vino;
                return node.Inode;
            }
        }
        vino = default;
        return default;
    }

    /// <summary>
    /// The kernel is about to get <paramref name="inode"/> in a reply: take over the one ll reference the caller
    /// holds on it and count one lookup. Returns the node ID, or 0 when the inode cannot be numbered (an inode
    /// number past 48 bits, or 0xfffe snapshots of one inode in use at once): then the reference is given back and
    /// the caller answers an error.
    /// </summary>
    public ulong Add(InodePtr inode, VInodeNo vino)
    {
        if (vino == RootVino)
        {
            _ceph.Put(inode); // the root keeps its single reference
            return FuseProtocol.RootId;
        }
        ulong nodeId;
        bool inconsistent = false;
        lock (_lock)
        {
            nodeId = NodeIdLocked(vino, allocate: true);
            if (nodeId != 0)
            {
                if (_nodes.TryGetValue(nodeId, out Node? node))
                {
                    if (node.Inode == inode)
                    {
                        node.Lookups++;
                        node.LastUsed = Stopwatch.GetTimestamp();
                        return nodeId;
                    }
                    // libcephfs keeps one Inode per (ino, snapid) while references exist: cannot happen.
                    inconsistent = true;
                }
                else
                {
                    _nodes.Add(nodeId, new Node(inode, vino) { Lookups = 1, LastUsed = Stopwatch.GetTimestamp() });
                    return nodeId;
                }
            }
        }
        _ceph.Put(inode);
        if (inconsistent)
            throw new InvalidOperationException($"libcephfs returned a second Inode for {vino}");
        return 0;
    }

    /// <summary>FORGET: the kernel dropped <paramref name="count"/> lookups of <paramref name="nodeId"/>.</summary>
    public void Forget(ulong nodeId, ulong count)
    {
        if (nodeId == FuseProtocol.RootId || count == 0)
            return;
        InodePtr inode;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(nodeId, out Node? node))
                return;
            if (count > (ulong)node.Lookups)
                count = (ulong)node.Lookups; // never release references we do not hold
            node.Lookups -= (long)count;
            inode = node.Inode;
            if (node.Lookups == 0)
            {
                _nodes.Remove(nodeId);
                ReleaseStagLocked(node.Vino);
            }
        }
        // Outside the lock: a concurrent Add for the same inode brings its own reference, so the inode lives on.
        while (count > int.MaxValue)
        {
            _ceph.Forget(inode, int.MaxValue);
            count -= int.MaxValue;
        }
        _ceph.Forget(inode, (int)count);
    }

    /// <summary>
    /// The node ID the kernel knows <paramref name="vino"/> by, or 0 when it holds no node for it (nothing to
    /// invalidate then). For libcephfs's invalidation callbacks.
    /// </summary>
    public ulong Find(VInodeNo vino)
    {
        if (vino == RootVino)
            return FuseProtocol.RootId;
        lock (_lock)
        {
            ulong nodeId = NodeIdLocked(vino, allocate: false);
            return nodeId != 0 && _nodes.ContainsKey(nodeId) ? nodeId : 0;
        }
    }

    /// <summary>
    /// The st_ino the kernel shows for <paramref name="vino"/> known as <paramref name="nodeId"/>: Ceph's own inode
    /// number for the live tree; the tagged node ID for snapshot inodes, so no two files of the mount share an
    /// inode number (a snapshot's copy of a file is a different file).
    /// </summary>
    public static ulong StIno(VInodeNo vino, ulong nodeId) => vino.IsHead ? vino.Ino : nodeId;

    /// <summary>The st_ino of a directory entry (READDIR) without creating a node: tagged only when the kernel
    /// already holds a node for the snapshot inode.</summary>
    public ulong StInoOfEntry(VInodeNo vino)
    {
        if (vino.IsHead)
            return vino.Ino;
        lock (_lock)
        {
            ulong nodeId = NodeIdLocked(vino, allocate: false);
            return nodeId != 0 ? nodeId : vino.Ino;
        }
    }

    /// <summary>Node IDs not used for at least <paramref name="idle"/>, oldest first, at most <paramref name="max"/>
    /// (candidates for NOTIFY_PRUNE when the table grows past the client cache size).</summary>
    public int CollectIdle(Span<ulong> nodeIds, TimeSpan idle)
    {
        long cutoff = Stopwatch.GetTimestamp() - (long)(idle.TotalSeconds * Stopwatch.Frequency);
        int found = 0;
        lock (_lock)
        {
            foreach (KeyValuePair<ulong, Node> pair in _nodes)
            {
                if (found == nodeIds.Length)
                    break;
                if (pair.Value.LastUsed < cutoff)
                    nodeIds[found++] = pair.Key;
            }
        }
        return found;
    }

    /// <summary>
    /// Gives back every reference the table holds (after the session ended, before unmounting): the kernel's
    /// lookups and the root's own. Returns the number of nodes released.
    /// </summary>
    public int ReleaseAll()
    {
        List<Node> nodes;
        lock (_lock)
        {
            nodes = [.. _nodes.Values];
            _nodes.Clear();
            _snapTags.Clear();
        }
        foreach (Node node in nodes)
        {
            long count = node.Lookups;
            while (count > 0)
            {
                int n = (int)Math.Min(count, int.MaxValue);
                _ceph.Forget(node.Inode, n);
                count -= n;
            }
        }
        _ceph.Put(Root);
        return nodes.Count;
    }

    private ulong NodeIdLocked(VInodeNo vino, bool allocate)
    {
        if (vino.Ino > InoMask || vino.Ino == 0)
            return 0;
        if (vino.SnapId == CephSnap.NoSnap)
            return vino.Ino == FuseProtocol.RootId ? 0 : vino.Ino; // Ceph's root is only reachable as the mount root
        if (vino.SnapId == CephSnap.SnapDir)
            return vino.Ino | ((ulong)SnapDirStag << StagShift);
        if (!_snapTags.TryGetValue(vino.Ino, out SnapTags? tags))
        {
            if (!allocate)
                return 0;
            tags = new SnapTags();
            _snapTags.Add(vino.Ino, tags);
        }
        int stag = tags.Find(vino.SnapId, allocate);
        return stag == 0 ? 0 : vino.Ino | ((ulong)stag << StagShift);
    }

    private void ReleaseStagLocked(VInodeNo vino)
    {
        if (vino.SnapId is CephSnap.NoSnap or CephSnap.SnapDir)
            return;
        if (_snapTags.TryGetValue(vino.Ino, out SnapTags? tags) && tags.Release(vino.SnapId))
            _snapTags.Remove(vino.Ino);
    }

    private sealed class Node(InodePtr inode, VInodeNo vino)
    {
        public InodePtr Inode { get; } = inode;
        public VInodeNo Vino { get; } = vino;
        public long Lookups { get; set; }
        public long LastUsed { get; set; }
    }

    /// <summary>The snapshot tags of one inode: snapid ↔ stag (2…0xffff). A tag lives while its node does.</summary>
    private sealed class SnapTags
    {
        private readonly Dictionary<ulong, int> _bySnap = new();
        private int _next = FirstSnapStag;

        public int Find(ulong snapId, bool allocate)
        {
            if (_bySnap.TryGetValue(snapId, out int stag))
                return stag;
            if (!allocate || _bySnap.Count >= LastStag - FirstSnapStag + 1)
                return 0;
            var used = new HashSet<int>(_bySnap.Values);
            while (used.Contains(_next))
                _next = _next == LastStag ? FirstSnapStag : _next + 1;
            stag = _next;
            _next = _next == LastStag ? FirstSnapStag : _next + 1;
            _bySnap.Add(snapId, stag);
            return stag;
        }

        /// <summary>Frees the tag of <paramref name="snapId"/>; true when no tag is left.</summary>
        public bool Release(ulong snapId)
        {
            _bySnap.Remove(snapId);
            return _bySnap.Count == 0;
        }
    }
}
