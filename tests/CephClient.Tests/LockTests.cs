using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>POSIX record locks through the MDS, between two independent clients and between owners of one.</summary>
[Trait("Category", "Cluster")]
public sealed class LockTests(CephFsFixture fs) : IClassFixture<CephFsFixture>, IDisposable
{
    private readonly CephMount _a = fs.Mount;
    private readonly CephMount _b = CephMount.Connect(TestMounts.Admin());

    public void Dispose() => _b.Dispose();

    private (CephFile A, CephFile B, IDisposable Cleanup) OpenOnBoth()
    {
        var dir = fs.NewDir(out string dirName);
        var (inode, fileA) = _a.Create(dir, "locked", 0x1A4, OpenFlags.ReadWrite);
        var inodeB = _b.Walk($"{fs.DirPath}/{dirName}/locked");
        var fileB = _b.Open(inodeB, OpenFlags.ReadWrite);
        return (fileA, fileB, new Disposables(fileB, inodeB, fileA, inode, dir));
    }

    [Fact]
    public void WriteLockConflictsAcrossClientsUntilUnlocked()
    {
        var (a, b, cleanup) = OpenOnBoth();
        using (cleanup)
        {
            _a.SetLock(a, Flock.Create(LockType.Write, pid: 1111), owner: 1, wait: false);

            var conflict = _b.GetLock(b, Flock.Create(LockType.Write, pid: 2222), owner: 2);
            Assert.NotNull(conflict);
            Assert.Equal(LockType.Write, conflict.Value.LockType);
            Assert.Equal(1111, conflict.Value.Pid);
            Assert.Equal(0, conflict.Value.Start);
            var e = Assert.Throws<CephException>(() => _b.SetLock(b, Flock.Create(LockType.Read, pid: 2222), owner: 2, wait: false));
            Assert.Equal(Errno.EAGAIN, e.Errno);
            Assert.StartsWith("EAGAIN from ceph_ll_setlk(", e.Message, StringComparison.Ordinal);

            _a.SetLock(a, Flock.Create(LockType.Unlock, pid: 1111), owner: 1, wait: false);
            Assert.Null(_b.GetLock(b, Flock.Create(LockType.Write, pid: 2222), owner: 2));
            _b.SetLock(b, Flock.Create(LockType.Write, pid: 2222), owner: 2, wait: false);
            var seenByA = _a.GetLock(a, Flock.Create(LockType.Read, pid: 1111), owner: 1);
            Assert.Equal(2222, seenByA?.Pid);
        }
    }

    [Fact]
    public void ReadLocksShareAndRangesAreIndependent()
    {
        var (a, b, cleanup) = OpenOnBoth();
        using (cleanup)
        {
            _a.SetLock(a, Flock.Create(LockType.Read, 0, 100), owner: 1, wait: false);
            _b.SetLock(b, Flock.Create(LockType.Read, 0, 100), owner: 2, wait: false);
            Assert.Equal(Errno.EAGAIN, Assert.Throws<CephException>(
                () => _b.SetLock(b, Flock.Create(LockType.Write, 50, 10), owner: 2, wait: false)).Errno);

            // hot path, disjoint ranges
            var ll = _b.LowLevel;
            Assert.Equal(0, ll.SetLk(b.Raw, Flock.Create(LockType.Write, 100, 100), owner: 2, wait: false));
            var probe = Flock.Create(LockType.Write, 150, 1);
            Assert.Equal(0, _a.LowLevel.GetLk(a.Raw, ref probe, owner: 1));
            Assert.Equal(LockType.Write, probe.LockType);
            Assert.Equal(100, probe.Start);
            Assert.Equal(100, probe.Length);
            var free = Flock.Create(LockType.Write, 300, 50);
            Assert.Equal(0, _a.LowLevel.GetLk(a.Raw, ref free, owner: 1));
            Assert.Equal(LockType.Unlock, free.LockType);
        }
    }

    [Fact]
    public void OwnersOfOneClientConflictToo()
    {
        var (a, _, cleanup) = OpenOnBoth();
        using (cleanup)
        {
            _a.SetLock(a, Flock.Create(LockType.Write), owner: 10, wait: false);
            _a.SetLock(a, Flock.Create(LockType.Write), owner: 10, wait: false); // re-locking by the owner is fine
            Assert.Equal(-Errno.EAGAIN, _a.LowLevel.SetLk(a.Raw, Flock.Create(LockType.Write), owner: 11, wait: false));
        }
    }

    [Fact]
    public void WaitingLockIsGrantedWhenTheHolderUnlocks()
    {
        var (a, b, cleanup) = OpenOnBoth();
        using (cleanup)
        {
            _a.SetLock(a, Flock.Create(LockType.Write), owner: 1, wait: false);
            var waiter = new Thread(() => _b.SetLock(b, Flock.Create(LockType.Write), owner: 2, wait: true)) { IsBackground = true };
            waiter.Start();
            Assert.False(waiter.Join(TimeSpan.FromMilliseconds(700)), "the blocking lock was granted while held");
            _a.SetLock(a, Flock.Create(LockType.Unlock), owner: 1, wait: false);
            Assert.True(waiter.Join(TimeSpan.FromSeconds(20)), "the blocking lock was not granted after the unlock");
            Assert.Equal(Errno.EAGAIN, Assert.Throws<CephException>(
                () => _a.SetLock(a, Flock.Create(LockType.Write), owner: 1, wait: false)).Errno);
        }
    }

    [Fact]
    public void ClosingTheFileReleasesItsLocks()
    {
        var (a, b, cleanup) = OpenOnBoth();
        using (cleanup)
        {
            _b.SetLock(b, Flock.Create(LockType.Write), owner: 2, wait: false);
            Assert.NotNull(_a.GetLock(a, Flock.Create(LockType.Write), owner: 1));
            b.Dispose();
            Assert.Null(_a.GetLock(a, Flock.Create(LockType.Write), owner: 1));
            _a.SetLock(a, Flock.Create(LockType.Write), owner: 1, wait: false);
        }
    }

    private sealed class Disposables(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
                item.Dispose();
        }
    }
}
