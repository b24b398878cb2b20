using System.Diagnostics;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// fcntl and flock locks live in the MDS: they hold between two managed-cephfuse mounts (two Ceph clients) and,
/// for fcntl, against ceph-fuse. Blocking locks wait without holding other requests up and an interrupt ends
/// the wait.
/// </summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class LockTests(CephMounts mounts)
{
    [Fact]
    public void FcntlLocksExcludeAcrossMountsAndReportTheHolder()
    {
        string rel = Path.Combine(mounts.NewDirectory("fcntl"), "f");
        File.WriteAllBytes(mounts.Ours[rel], new byte[1000]);
        int a = Sys.Check(Sys.Open(mounts.Ours[rel], Sys.O_RDWR), "open a");
        int b = Sys.Check(Sys.Open(mounts.OursLong[rel], Sys.O_RDWR), "open b");
        try
        {
            var range = new FLock { Type = Sys.F_WRLCK, Whence = Sys.SEEK_SET, Start = 100, Len = 50 };
            Sys.Check(Sys.Lock(a, Sys.F_SETLK, ref range), "lock a");
            var other = new FLock { Type = Sys.F_WRLCK, Whence = Sys.SEEK_SET, Start = 120, Len = 10 };
            Assert.Equal(-1, Sys.Lock(b, Sys.F_SETLK, ref other));
            Assert.Equal(EAGAIN, Sys.Errno);
            // a range that does not overlap is free
            var free = new FLock { Type = Sys.F_WRLCK, Whence = Sys.SEEK_SET, Start = 150, Len = 10 };
            Sys.Check(Sys.Lock(b, Sys.F_SETLK, ref free), "lock b elsewhere");
            // F_GETLK tells who holds the range
            var probe = new FLock { Type = Sys.F_RDLCK, Whence = Sys.SEEK_SET, Start = 0, Len = 0 };
            Sys.Check(Sys.Lock(b, Sys.F_GETLK, ref probe), "getlk");
            Assert.Equal(Sys.F_WRLCK, probe.Type);
            Assert.Equal(100, probe.Start);
            Assert.Equal(50, probe.Len);
            var clear = new FLock { Type = Sys.F_RDLCK, Whence = Sys.SEEK_SET, Start = 500, Len = 10 };
            Sys.Check(Sys.Lock(b, Sys.F_GETLK, ref clear), "getlk free");
            Assert.Equal(Sys.F_UNLCK, clear.Type);
            // release, and the other client gets it
            var unlock = new FLock { Type = Sys.F_UNLCK, Whence = Sys.SEEK_SET, Start = 100, Len = 50 };
            Sys.Check(Sys.Lock(a, Sys.F_SETLK, ref unlock), "unlock a");
            Sys.Check(Sys.Lock(b, Sys.F_SETLK, ref other), "lock b");
            // closing any descriptor releases the process's fcntl locks (FLUSH), before close(2) returns
            Sys.Close(b);
            b = -1;
            var whole = Sys.WholeFile(Sys.F_WRLCK);
            Sys.Check(Sys.Lock(a, Sys.F_SETLK, ref whole), "whole file after close");
        }
        finally
        {
            Sys.Close(a);
            if (b >= 0)
                Sys.Close(b);
        }
    }

    [Fact]
    public void FcntlLocksExcludeCephFuseToo()
    {
        string rel = Path.Combine(mounts.NewDirectory("fcntl-cf"), "f");
        File.WriteAllText(mounts.Ours[rel], "x");
        int ours = Sys.Check(Sys.Open(mounts.Ours[rel], Sys.O_RDWR), "open ours");
        int theirs = Sys.Check(Sys.Open(mounts.CephFuse[rel], Sys.O_RDWR), "open theirs");
        try
        {
            var lk = Sys.WholeFile(Sys.F_WRLCK);
            Sys.Check(Sys.Lock(theirs, Sys.F_SETLK, ref lk), "ceph-fuse locks");
            var mine = Sys.WholeFile(Sys.F_RDLCK);
            Assert.Equal(-1, Sys.Lock(ours, Sys.F_SETLK, ref mine));
            Assert.Equal(EAGAIN, Sys.Errno);
            var unlock = Sys.WholeFile(Sys.F_UNLCK);
            Sys.Check(Sys.Lock(theirs, Sys.F_SETLK, ref unlock), "ceph-fuse unlocks");
            Sys.Check(Sys.Lock(ours, Sys.F_SETLK, ref mine), "we lock");
            Assert.Equal(-1, Sys.Lock(theirs, Sys.F_SETLK, ref lk));
            Assert.Equal(EAGAIN, Sys.Errno);
        }
        finally
        {
            Sys.Close(ours);
            Sys.Close(theirs);
        }
    }

    [Fact]
    public void BlockingLocksWaitAndDoNotHoldUpOtherRequests()
    {
        string rel = Path.Combine(mounts.NewDirectory("wait"), "f");
        File.WriteAllText(mounts.Ours[rel], "x");
        int holder = Sys.Check(Sys.Open(mounts.OursLong[rel], Sys.O_RDWR), "open holder");
        int waiter = Sys.Check(Sys.Open(mounts.Ours[rel], Sys.O_RDWR), "open waiter");
        try
        {
            var lk = Sys.WholeFile(Sys.F_WRLCK);
            Sys.Check(Sys.Lock(holder, Sys.F_SETLK, ref lk), "hold");
            var clock = Stopwatch.StartNew();
            TimeSpan granted = TimeSpan.Zero;
            int result = -2;
            var thread = new Thread(() =>
            {
                var want = Sys.WholeFile(Sys.F_WRLCK);
                result = Sys.Lock(waiter, Sys.F_SETLKW, ref want);
                granted = clock.Elapsed;
            });
            thread.Start();
            Thread.Sleep(700);
            Assert.True(thread.IsAlive, "F_SETLKW did not wait");
            // meanwhile the mount serves everything else
            for (int i = 0; i < 20; i++)
                File.WriteAllText(mounts.Ours[rel + $"-other{i}"], "busy");
            var unlock = Sys.WholeFile(Sys.F_UNLCK);
            TimeSpan released = clock.Elapsed;
            Sys.Check(Sys.Lock(holder, Sys.F_SETLK, ref unlock), "release");
            Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "the waiter was not granted the lock");
            Assert.Equal(0, result);
            Assert.True(granted - released < TimeSpan.FromSeconds(1), $"granted {granted - released} after the release");
        }
        finally
        {
            Sys.Close(holder);
            Sys.Close(waiter);
        }
    }

    [Theory]
    [InlineData("fcntl")]
    [InlineData("flock")]
    public void AnInterruptEndsABlockedLock(string kind)
    {
        string rel = Path.Combine(mounts.NewDirectory("intr"), "f");
        File.WriteAllText(mounts.Ours[rel], "x");
        int holder = Sys.Check(Sys.Open(mounts.OursLong[rel], Sys.O_RDWR), "open holder");
        try
        {
            if (kind == "fcntl")
            {
                var lk = Sys.WholeFile(Sys.F_WRLCK);
                Sys.Check(Sys.Lock(holder, Sys.F_SETLK, ref lk), "hold");
            }
            else
            {
                Sys.Check(Sys.Flock(holder, Sys.LOCK_EX), "hold");
            }
            // a process blocked in the lock gets SIGINT: the kernel sends INTERRUPT, the wait must end (EINTR)
            string script = kind == "fcntl"
                ? "import fcntl,signal,sys\nf=open(sys.argv[1],'r+')\ntry:\n fcntl.lockf(f,fcntl.LOCK_EX)\n print('granted')\nexcept KeyboardInterrupt:\n print('interrupted')\n"
                : "import fcntl,signal,sys\nf=open(sys.argv[1],'r+')\ntry:\n fcntl.flock(f,fcntl.LOCK_EX)\n print('granted')\nexcept KeyboardInterrupt:\n print('interrupted')\n";
            var start = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(mounts.Ours[rel]);
            using Process waiter = Process.Start(start)!;
            Thread.Sleep(1500);
            Assert.False(waiter.HasExited, "the lock did not block");
            var clock = Stopwatch.StartNew();
            Sys.Kill(waiter.Id, Sys.SIGINT);
            Assert.True(waiter.WaitForExit(TimeSpan.FromSeconds(5)), "the blocked lock ignored the interrupt");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed} to give up");
            Assert.Equal("interrupted", waiter.StandardOutput.ReadToEnd().Trim());
        }
        finally
        {
            Sys.Close(holder);
        }
    }

    [Fact]
    public void FlockExcludesBetweenManagedMounts()
    {
        string rel = Path.Combine(mounts.NewDirectory("flock"), "f");
        File.WriteAllText(mounts.Ours[rel], "x");
        int a = Sys.Check(Sys.Open(mounts.Ours[rel], Sys.O_RDONLY), "open a");
        int b = Sys.Check(Sys.Open(mounts.OursLong[rel], Sys.O_RDONLY), "open b");
        try
        {
            Sys.Check(Sys.Flock(a, Sys.LOCK_SH | Sys.LOCK_NB), "shared a");
            Sys.Check(Sys.Flock(b, Sys.LOCK_SH | Sys.LOCK_NB), "shared b"); // shared locks coexist
            Assert.Equal(-1, Sys.Flock(b, Sys.LOCK_EX | Sys.LOCK_NB));
            Assert.Equal(EWOULDBLOCK, Sys.Errno);
            Sys.Check(Sys.Flock(a, Sys.LOCK_UN), "unlock a");
            Sys.Check(Sys.Flock(b, Sys.LOCK_EX | Sys.LOCK_NB), "exclusive b");
            Assert.Equal(-1, Sys.Flock(a, Sys.LOCK_SH | Sys.LOCK_NB));
            Assert.Equal(EWOULDBLOCK, Sys.Errno);
            // closing the open file releases its flock (with RELEASE, which the kernel sends after close(2)
            // has returned: ceph-fuse has the same short delay)
            Sys.Close(b);
            b = -1;
            var clock = Stopwatch.StartNew();
            while (Sys.Flock(a, Sys.LOCK_EX | Sys.LOCK_NB) != 0)
            {
                Assert.Equal(EWOULDBLOCK, Sys.Errno);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), "the closed file's flock stayed");
                Thread.Sleep(10);
            }
        }
        finally
        {
            Sys.Close(a);
            if (b >= 0)
                Sys.Close(b);
        }
    }

    [Fact]
    public void FlockIsNotSharedWithCephFuseByDesign()
    {
        // Documented trade-off: our flock is a whole-file fcntl lock in the MDS (Pacific's C API has no
        // ll_flock); ceph-fuse keeps flocks in the MDS's separate flock table. So a ceph-fuse flock does not
        // exclude ours — but a ceph-fuse fcntl lock does.
        string rel = Path.Combine(mounts.NewDirectory("flock-cf"), "f");
        File.WriteAllText(mounts.Ours[rel], "x");
        int ours = Sys.Check(Sys.Open(mounts.Ours[rel], Sys.O_RDONLY), "open ours");
        int theirs = Sys.Check(Sys.Open(mounts.CephFuse[rel], Sys.O_RDWR), "open theirs");
        try
        {
            Sys.Check(Sys.Flock(theirs, Sys.LOCK_EX | Sys.LOCK_NB), "ceph-fuse flock");
            Sys.Check(Sys.Flock(ours, Sys.LOCK_EX | Sys.LOCK_NB), "our flock (separate tables)");
            Sys.Check(Sys.Flock(ours, Sys.LOCK_UN), "unlock ours");
            Sys.Check(Sys.Flock(theirs, Sys.LOCK_UN), "unlock theirs");
            var fcntl = Sys.WholeFile(Sys.F_WRLCK);
            Sys.Check(Sys.Lock(theirs, Sys.F_SETLK, ref fcntl), "ceph-fuse fcntl");
            Assert.Equal(-1, Sys.Flock(ours, Sys.LOCK_EX | Sys.LOCK_NB));
            Assert.Equal(EWOULDBLOCK, Sys.Errno);
        }
        finally
        {
            Sys.Close(ours);
            Sys.Close(theirs);
        }
    }

    private const int EWOULDBLOCK = EAGAIN;
}
