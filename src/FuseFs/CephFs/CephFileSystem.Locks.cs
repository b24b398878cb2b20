using ManagedCephFuse.CephClient;
using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.CephFs;

// Locks: GETLK, SETLK, SETLKW — fcntl(2) record locks and flock(2), held in the MDS so that every client of the
// file system sees them.
//
// flock(2): Pacific's C API has no ll_flock (ceph-fuse calls the C++ Client directly), and ceph_flock() takes a
// libcephfs descriptor we do not have. So a flock is taken as a whole-file fcntl lock in the MDS, owned by the open
// file description (the kernel's flock owner). That keeps what matters across machines: two managed-cephfuse
// mounts, and any fcntl user, exclude each other. What differs: a flock and an fcntl lock on the same file conflict
// here (on Linux they are independent), and ceph-fuse or kernel-client flock users (the MDS's separate flock table)
// do not see ours. Letting the kernel keep flocks locally (no FLOCK_LOCKS) would keep the Linux semantics but give
// no exclusion between machines at all — the worse failure for a shared volume.
//
// Blocking (SETLKW, flock without LOCK_NB): libcephfs's blocking setlk cannot be cancelled through the C API
// (no ll_interrupt), and a waiter that cannot be cancelled would get the lock after its caller is gone. So we ask
// without waiting and retry with back-off (1 ms doubling to 100 ms) until granted or interrupted (EINTR). Other
// requests are never held up; the price is up to 100 ms of latency after a release, no FIFO order among waiters,
// and no EDEADLK detection between waiters.
internal sealed partial class CephFileSystem
{
    /// <summary>Marks an owner as complete on its own for the MDS (without it, old-client rules also compare the
    /// pid, and an unlock — sent by the kernel with pid 0 — would not match the lock).</summary>
    private const ulong OwnerIsUnique = 1UL << 63;
    private const long OffsetMax = long.MaxValue;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(1), LastRetry = TimeSpan.FromMilliseconds(100);

    public int GetLk(FuseRequestContext context, GetLkRequest request, ref FuseFileLock conflict)
    {
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        Flock probe = ToFlock(request.Lock);
        int r = _ceph.GetLk(file.Fh, ref probe, request.Owner | OwnerIsUnique);
        if (r < 0)
            return Fail(r);
        conflict = FromFlock(probe);
        return 0;
    }

    public int SetLk(FuseRequestContext context, SetLkRequest request)
    {
        if (!TryFile(request.FileHandle, out FileHandle? file))
            return EBADF;
        Flock wanted = ToFlock(request.Lock);
        if (request.IsFlock)
        {
            // flock(2) locks the whole file, whatever the kernel filled in
            wanted.Start = 0;
            wanted.Length = 0;
        }
        ulong owner = request.Owner | OwnerIsUnique;
        if (!request.IsFlock && wanted.LockType != LockType.Unlock)
            _posixLocked.TryAdd(file.Inode, 0); // FLUSH of this inode must now release its owner's locks
        int r = _ceph.SetLk(file.Fh, wanted, owner, wait: false);
        if (r != -EAGAIN || !request.Wait || wanted.LockType == LockType.Unlock)
            return Fail(r);
        CancellationToken cancel = context.CancellationToken;
        TimeSpan delay = FirstRetry;
        while (true)
        {
            // INTERRUPT trips the token, and so does the session when it stops (the Fh is about to go)
            if (cancel.WaitHandle.WaitOne(delay))
                return EINTR;
            r = _ceph.SetLk(file.Fh, wanted, owner, wait: false);
            if (r != -EAGAIN)
                return Fail(r);
            delay = delay * 2 < LastRetry ? delay * 2 : LastRetry;
        }
    }

    /// <summary>
    /// POSIX says closing any descriptor of a file drops the process's fcntl locks on it; FUSE leaves that to FLUSH
    /// (it sends no unlock at close). Only inodes that ever had an fcntl lock pay the MDS round trip.
    /// </summary>
    private int ReleasePosixLocks(FileHandle file, ulong lockOwner)
    {
        if (!_posixLocked.ContainsKey(file.Inode))
            return 0;
        Flock all = Flock.Create(LockType.Unlock);
        int r = _ceph.SetLk(file.Fh, all, lockOwner | OwnerIsUnique, wait: false);
        return r is 0 or -ENOLCK ? 0 : Fail(r);
    }

    private static Flock ToFlock(in FuseFileLock l)
    {
        long start = (long)l.Start;
        long end = (long)l.End;
        long length = end == OffsetMax || end < start ? 0 : end - start + 1;
        return Flock.Create((LockType)(short)l.Type, start, length, (int)l.Pid);
    }

    private static FuseFileLock FromFlock(in Flock l) => new()
    {
        Type = (uint)(ushort)l.Type,
        Start = (ulong)l.Start,
        // the kernel rejects a reply with end < start (EIO), an F_UNLCK one included
        End = (ulong)(l.Length <= 0 ? OffsetMax : l.Start + l.Length - 1),
        Pid = (uint)l.Pid,
    };
}
