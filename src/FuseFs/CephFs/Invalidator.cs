using System.Collections.Concurrent;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using Microsoft.Extensions.Logging;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.CephFs;

/// <summary>
/// libcephfs tells us when the kernel's caches went stale (another client wrote, truncated or unlinked; the MDS
/// wants inodes back); this turns that into FUSE notifications, which is what makes non-zero entry and attribute
/// timeouts safe.
/// <list type="bullet">
/// <item>ino_cb (data/attributes stale: the Fc cap was revoked, the file was truncated) → NOTIFY_INVAL_INODE.</item>
/// <item>dentry_cb (a name is gone: the inode's last link was removed elsewhere) → NOTIFY_DELETE, or
/// NOTIFY_INVAL_ENTRY when the child is not known to the kernel.</item>
/// <item>ino_release_cb (the MDS recalls caps and only the kernel still holds the inode) → NOTIFY_PRUNE (7.45),
/// so the kernel forgets unused inodes and libcephfs can trim them — instead of ceph-fuse's remount trick.</item>
/// </list>
/// The callbacks run on libcephfs's finisher threads and only queue; one thread of ours writes the notifications.
/// Writing them from the callback itself could deadlock: the kernel applies an invalidation under the inode's page
/// locks, which a WRITE in flight holds while libcephfs waits for the cap this callback's return releases.
/// umask_cb (POSIX ACL mode) answers from the request being served on the calling thread.
/// </summary>
internal sealed class Invalidator : ICephClientCallbacks, IDisposable
{
    private const int PruneBatch = 256;

    [ThreadStatic]
    private static uint t_umask;

    private readonly NodeTable _nodes;
    private readonly ILogger _log;
    private readonly BlockingCollection<Work> _queue = new(new ConcurrentQueue<Work>());
    private readonly ManualResetEventSlim _idle = new(true);
    private Thread? _thread;
    private FuseNotifier? _notifier;
    private long _pending;
    private long _sent;
    private long _skipped;

    public Invalidator(NodeTable nodes, ILogger log)
    {
        _nodes = nodes;
        _log = log;
    }

    /// <summary>Notifications written to the kernel so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Invalidations dropped because the kernel held nothing for them.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Starts writing notifications (at INIT: the notifier works once INIT is answered).</summary>
    public void Start(FuseNotifier notifier)
    {
        _notifier = notifier;
        _thread = new Thread(Run) { IsBackground = true, Name = "ceph-invalidate" };
        _thread.Start();
    }

    /// <summary>Waits until everything queued so far was written (tests, and before unmount).</summary>
    public bool WaitIdle(TimeSpan timeout) => _idle.Wait(timeout);

    /// <summary>The umask libcephfs applies to new inodes in POSIX ACL mode, for the current thread's request.</summary>
    public static void SetUmask(uint umask) => t_umask = umask;

    // ---- ICephClientCallbacks: libcephfs finisher threads; queue and return -----------------------------

    public void InvalidateInode(VInodeNo inode, long offset, long length) =>
        Enqueue(new Work(WorkKind.Inode, inode, default, offset, length, null));

    public void InvalidateDentry(VInodeNo directory, VInodeNo inode, ReadOnlySpan<byte> name) =>
        Enqueue(new Work(WorkKind.Dentry, directory, inode, 0, 0, name.ToArray()));

    public void ReleaseInode(VInodeNo inode) => Enqueue(new Work(WorkKind.Release, inode, default, 0, 0, null));

    public uint GetUmask() => t_umask;

    /// <summary>
    /// The kernel may drop its names of <paramref name="nodeId"/>: the inode's last link is gone (another client
    /// unlinked it while we were answering for it, so libcephfs learnt nlink 0 from a reply, not from a cap
    /// message, and calls no dentry callback). Sent as NOTIFY_PRUNE after the current request is answered, when
    /// the name is no longer in use.
    /// </summary>
    public void Unlinked(ulong nodeId)
    {
        // The request that noticed is still being answered and holds the name: a prune now would find it in use.
        // Twice, because the caller may hold it longer.
        foreach (int delay in UnlinkedPruneDelays)
            _ = PruneLater(nodeId, delay);
    }

    private async Task PruneLater(ulong nodeId, int milliseconds)
    {
        await Task.Delay(milliseconds).ConfigureAwait(false);
        Enqueue(new Work(WorkKind.Release, default, default, 0, 0, null, nodeId));
    }

    private static readonly int[] UnlinkedPruneDelays = [100, 1000];

    public void Dispose()
    {
        _queue.CompleteAdding(); // not disposed: a late callback or delayed prune may still look at it
        _thread?.Join(TimeSpan.FromSeconds(5));
    }

    private void Enqueue(in Work work)
    {
        if (_queue.IsAddingCompleted)
            return;
        _idle.Reset();
        Interlocked.Increment(ref _pending);
        try
        {
            _queue.Add(work);
        }
        catch (InvalidOperationException)
        {
            Done(); // completed meanwhile: the session is over
        }
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
            _idle.Set();
    }

    private void Run()
    {
        Span<ulong> prune = stackalloc ulong[PruneBatch];
        int pruneCount = 0;
        foreach (Work work in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (work.Kind == WorkKind.Release)
                {
                    ulong nodeId = work.NodeId != 0 ? work.NodeId : _nodes.Find(work.Inode);
                    if (nodeId > 1)
                        prune[pruneCount++] = nodeId;
                    else
                        Interlocked.Increment(ref _skipped);
                }
                else
                {
                    Apply(work);
                }
                // releases that arrive together go out as one NOTIFY_PRUNE
                if (pruneCount > 0 && (pruneCount == PruneBatch || _queue.Count == 0))
                {
                    int result = _notifier!.Prune(prune[..pruneCount]);
                    pruneCount = 0;
                    Notify(result, "prune", work.Inode);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                pruneCount = 0;
                _log.InvalidationFailed(e, work.Kind.ToString(), work.Inode.ToString());
            }
            finally
            {
                Done();
            }
        }
    }

    private void Apply(in Work work)
    {
        FuseNotifier notifier = _notifier!;
        if (work.Kind == WorkKind.Inode)
        {
            ulong nodeId = _nodes.Find(work.Inode);
            int result = nodeId == 0 ? ENOENT : notifier.InvalidateInode(nodeId, work.Offset, work.Length);
            Trace(work, "inval_inode", nodeId, result);
            Notify(result, "inval_inode", work.Inode);
            return;
        }
        ulong parent = _nodes.Find(work.Inode);
        if (parent == 0)
        {
            Trace(work, "none", 0, ENOENT);
            Interlocked.Increment(ref _skipped);
            return;
        }
        ulong child = work.Child.Ino == 0 ? 0 : _nodes.Find(work.Child);
        int r = child != 0
            ? notifier.Delete(parent, child, work.Name)
            : notifier.InvalidateEntry(parent, work.Name);
        Trace(work, child != 0 ? "delete" : "inval_entry", parent, r);
        Notify(r, child != 0 ? "delete" : "inval_entry", work.Inode);
    }

    private void Trace(in Work work, string what, ulong nodeId, int result)
    {
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.Notified(work.Kind.ToString(), work.Inode.ToString(), work.Child.ToString(),
                work.Name is null ? "" : System.Text.Encoding.UTF8.GetString(work.Name), what, nodeId, result == 0 ? "ok" : Errno.Name(result));
        }
    }

    private void Notify(int result, string what, VInodeNo inode)
    {
        if (result == 0)
            Interlocked.Increment(ref _sent);
        else if (result is ENOENT or ENOTDIR or ENOSYS)
            Interlocked.Increment(ref _skipped); // nothing cached for it in the kernel (or no PRUNE before 7.45)
        else if (result != ENOTCONN)
            _log.NotificationRefused(what, inode.ToString(), Errno.Name(result));
    }

    private enum WorkKind : byte
    {
        Inode,
        Dentry,
        Release,
    }

    private readonly record struct Work(WorkKind Kind, VInodeNo Inode, VInodeNo Child, long Offset, long Length, byte[]? Name, ulong NodeId = 0);
}
