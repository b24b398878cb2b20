using ManagedCephFuse.FuseFs.Kernel;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Memory;

/// <summary>
/// The locks of one file: POSIX record locks (fcntl; owned by a process's file table, byte ranges, split and
/// merged as POSIX says) and flock locks (whole file, owned by an open file description). A blocking request
/// waits on this table's monitor — on its own worker thread, so other requests go on — until the lock is free or
/// the request's cancellation token trips (INTERRUPT → EINTR).
/// </summary>
internal sealed class LockTable
{
    private const long ToEnd = long.MaxValue;
    private readonly List<RangeLock> _posix = [];
    private readonly List<(ulong Owner, uint Type)> _flock = [];

    private readonly record struct RangeLock(ulong Owner, uint Pid, long Start, long End, uint Type);

    /// <summary>True when nothing is locked (the table can be dropped).</summary>
    public bool IsEmpty
    {
        get
        {
            lock (this)
                return _posix.Count == 0 && _flock.Count == 0;
        }
    }

    /// <summary>F_GETLK: the first lock of another owner that conflicts with the one described, or null.</summary>
    public (long Start, long End, uint Type, uint Pid)? FindConflict(ulong owner, long start, long end, uint type)
    {
        lock (this)
        {
            foreach (RangeLock held in _posix)
            {
                if (Conflicts(held, owner, start, end, type))
                    return (held.Start, held.End, held.Type, held.Pid);
            }
            return null;
        }
    }

    /// <summary>F_SETLK / F_SETLKW: 0, EAGAIN (held, not waiting), EINTR (interrupted while waiting).</summary>
    public int SetPosix(ulong owner, uint pid, long start, long end, uint type, bool wait, CancellationToken cancellation)
    {
        if (start < 0 || end < start)
            return EINVAL;
        lock (this)
        {
            if (type == OpenFlags.F_UNLCK)
            {
                RemoveRange(owner, start, end);
                Monitor.PulseAll(this);
                return 0;
            }
            int waited = WaitUntil(() => !_posix.Exists(held => Conflicts(held, owner, start, end, type)), wait, cancellation);
            if (waited != 0)
                return waited;
            RemoveRange(owner, start, end);
            InsertMerged(new RangeLock(owner, pid, start, end, type));
            Monitor.PulseAll(this); // a downgrade may let readers in
            return 0;
        }
    }

    /// <summary>flock(2) on behalf of the open file description <paramref name="owner"/>.</summary>
    public int SetFlock(ulong owner, uint type, bool wait, CancellationToken cancellation)
    {
        lock (this)
        {
            int mine = _flock.FindIndex(l => l.Owner == owner);
            if (type == OpenFlags.F_UNLCK)
            {
                if (mine >= 0)
                    _flock.RemoveAt(mine);
                Monitor.PulseAll(this);
                return 0;
            }
            if (mine >= 0 && _flock[mine].Type == type)
                return 0;
            if (mine >= 0)
            {
                // Conversion is not atomic in Linux either: drop the old lock first, then wait for the new one.
                _flock.RemoveAt(mine);
                Monitor.PulseAll(this);
            }
            int waited = WaitUntil(() => !_flock.Exists(l => l.Owner != owner && (l.Type == OpenFlags.F_WRLCK || type == OpenFlags.F_WRLCK)), wait, cancellation);
            if (waited != 0)
                return waited;
            _flock.Add((owner, type));
            return 0;
        }
    }

    /// <summary>Drops every POSIX lock of <paramref name="owner"/> (FLUSH on close).</summary>
    public void ReleasePosix(ulong owner)
    {
        lock (this)
        {
            if (_posix.RemoveAll(l => l.Owner == owner) > 0)
                Monitor.PulseAll(this);
        }
    }

    /// <summary>Drops the flock lock of the open file description <paramref name="owner"/> (RELEASE).</summary>
    public void ReleaseFlock(ulong owner)
    {
        lock (this)
        {
            if (_flock.RemoveAll(l => l.Owner == owner) > 0)
                Monitor.PulseAll(this);
        }
    }

    private int WaitUntil(Func<bool> free, bool wait, CancellationToken cancellation)
    {
        if (free())
            return 0;
        if (!wait)
            return EAGAIN;
        using CancellationTokenRegistration registration = cancellation.UnsafeRegister(static state =>
        {
            lock (state!)
                Monitor.PulseAll(state);
        }, this);
        while (!free())
        {
            if (cancellation.IsCancellationRequested)
                return EINTR;
            Monitor.Wait(this);
        }
        return 0;
    }

    private static bool Conflicts(RangeLock held, ulong owner, long start, long end, uint type) =>
        held.Owner != owner && held.Start <= end && start <= held.End &&
        (held.Type == OpenFlags.F_WRLCK || type == OpenFlags.F_WRLCK);

    /// <summary>Removes [start, end] from <paramref name="owner"/>'s locks, splitting the ones that straddle it.</summary>
    private void RemoveRange(ulong owner, long start, long end)
    {
        for (int i = _posix.Count - 1; i >= 0; i--)
        {
            RangeLock l = _posix[i];
            if (l.Owner != owner || l.End < start || l.Start > end)
                continue;
            _posix.RemoveAt(i);
            if (l.Start < start)
                _posix.Add(l with { End = start - 1 });
            if (l.End > end)
                _posix.Add(l with { Start = end + 1 });
        }
    }

    /// <summary>Adds a lock, merging it with the owner's adjacent or overlapping locks of the same type.</summary>
    private void InsertMerged(RangeLock added)
    {
        for (int i = _posix.Count - 1; i >= 0; i--)
        {
            RangeLock l = _posix[i];
            bool touches = l.Owner == added.Owner && l.Type == added.Type &&
                (l.End == ToEnd || l.End + 1 >= added.Start) && (added.End == ToEnd || added.End + 1 >= l.Start);
            if (!touches)
                continue;
            _posix.RemoveAt(i);
            added = added with { Start = Math.Min(l.Start, added.Start), End = Math.Max(l.End, added.End) };
        }
        _posix.Add(added);
    }
}
