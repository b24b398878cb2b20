using System.Diagnostics;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;
using static ManagedCephFuse.FuseFs.Tests.Support.Posix;

namespace ManagedCephFuse.FuseFs.Tests.Kernel;

/// <summary>fcntl record locks and flock across processes, blocking waits, and INTERRUPT of a blocked lock.</summary>
[Trait("Category", "Kernel")]
public sealed class LockTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly MemoryMount _mount = new();
    private readonly string _helper = NativeHelper.Compile("lockhelper", NativeHelper.Source("lockhelper.c"));
    private readonly string _file;

    public LockTests()
    {
        _file = _mount["locked"];
        File.WriteAllBytes(_file, new byte[1000]);
    }

    public void Dispose()
    {
        Assert.Empty(_mount.Log.Problems);
        _mount.Dispose();
    }

    private Helper Hold(string kind, string arguments)
    {
        var holder = new Helper(_helper, $"{kind} {_file} {arguments}");
        string? line = holder.ReadLine(Timeout);
        Assert.True(line?.StartsWith("locked", StringComparison.Ordinal) == true, $"helper said '{line}'");
        return holder;
    }

    [Fact]
    public void PosixLocksBetweenTwoProcesses()
    {
        using Helper holder = Hold("hold", "w 0 100");
        int fd = (int)Check(Open(_file, O_RDWR), "open");
        try
        {
            var lk = new Flock { Type = F_RDLCK, Whence = SEEK_SET, Start = 50, Len = 10 };
            Assert.Equal(-1, Fcntl(fd, F_SETLK, ref lk));
            Assert.True(Errno is EAGAIN or EACCES);
            lk = new Flock { Type = F_WRLCK, Whence = SEEK_SET, Start = 0, Len = 0 };
            Check(Fcntl(fd, F_GETLK, ref lk), "F_GETLK");
            Assert.Equal(F_WRLCK, lk.Type);
            Assert.Equal(holder.Pid, lk.Pid);
            Assert.Equal((0L, 100L), (lk.Start, lk.Len));
            // a range beyond the held one is free
            lk = new Flock { Type = F_WRLCK, Whence = SEEK_SET, Start = 100, Len = 50 };
            Check(Fcntl(fd, F_SETLK, ref lk), "lock [100, 150)");
            // the holder exits: close(2) releases its locks (FLUSH with its lock owner)
            Assert.True(holder.Finish(Timeout));
            lk = new Flock { Type = F_WRLCK, Whence = SEEK_SET, Start = 0, Len = 100 };
            Check(Fcntl(fd, F_SETLK, ref lk), "lock [0, 100) after the holder exited");
        }
        finally
        {
            Close(fd);
        }
        // and our close released ours
        using Helper again = Hold("hold", "w 0 0");
        Assert.True(again.Finish(Timeout));
    }

    [Fact]
    public void ABlockingLockWaitsWithoutBlockingOtherRequestsAndIsGrantedOnRelease()
    {
        using Helper holder = Hold("hold", "w 0 10");
        int fd = (int)Check(Open(_file, O_RDWR), "open");
        int result = -2;
        var waiter = new Thread(() =>
        {
            var lk = new Flock { Type = F_WRLCK, Whence = SEEK_SET, Start = 0, Len = 10 };
            result = Fcntl(fd, F_SETLKW, ref lk);
        });
        waiter.Start();
        Thread.Sleep(300);
        Assert.True(waiter.IsAlive, "F_SETLKW returned while the lock was held");
        // the file system keeps serving while a request is blocked in a handler
        for (int i = 0; i < 50; i++)
            File.WriteAllText(_mount[$"other{i}"], "x");
        Assert.Equal(50, Directory.GetFiles(_mount.Path, "other*").Length);
        Assert.True(holder.Finish(Timeout));
        Assert.True(waiter.Join(Timeout));
        Assert.Equal(0, result);
        Close(fd);
    }

    [Fact]
    public void ASignalInterruptsABlockedFcntlLock()
    {
        using Helper holder = Hold("hold", "w 0 10");
        var clock = Stopwatch.StartNew();
        using var waiter = new Helper(_helper, $"wait {_file} 0 10 1");
        Assert.Equal("EINTR", waiter.ReadLine(Timeout));
        Assert.True(waiter.WaitForExit(Timeout));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9));
        // nothing is left waiting in the file system: once the holder goes, the lock is free at once
        Assert.True(holder.Finish(Timeout));
        using Helper next = Hold("hold", "w 0 10");
        Assert.True(next.Finish(Timeout));
    }

    [Fact]
    public void FlockBetweenOpenFilesAndProcesses()
    {
        int a = (int)Check(Open(_file, O_RDWR), "open"), b = (int)Check(Open(_file, O_RDWR), "open");
        Check(FlockFile(a, LOCK_EX), "flock a");
        Assert.Equal(-1, FlockFile(b, LOCK_EX | LOCK_NB));
        Assert.Equal(EAGAIN, Errno); // EWOULDBLOCK
        Assert.Equal(-1, FlockFile(b, LOCK_SH | LOCK_NB));
        Check(FlockFile(a, LOCK_UN), "unlock a");
        Check(FlockFile(b, LOCK_SH | LOCK_NB), "shared b");
        Check(FlockFile(a, LOCK_SH | LOCK_NB), "shared a");
        Assert.Equal(-1, FlockFile(a, LOCK_EX | LOCK_NB));
        // the last close of b's open file releases its flock — with RELEASE, which the kernel queues in the
        // background after close(2) has returned, so the lock goes a moment later (libfuse and ceph-fuse alike)
        Close(b);
        FlockOnceReleased(a, "the closed file's flock stayed");
        Close(a);

        using Helper holder = Hold("flockhold", "");
        int c = (int)Check(Open(_file, O_RDWR), "open");
        Assert.Equal(-1, FlockFile(c, LOCK_EX | LOCK_NB));
        using var waiter = new Helper(_helper, $"flockwait {_file} 1");
        Assert.Equal("EINTR", waiter.ReadLine(Timeout));
        Assert.True(holder.Finish(Timeout));
        FlockOnceReleased(c, "the exited holder's flock stayed");
        Close(c);
    }

    /// <summary>Takes an exclusive flock that another open file held until its (asynchronous) RELEASE.</summary>
    private static void FlockOnceReleased(int fd, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (FlockFile(fd, LOCK_EX | LOCK_NB) != 0)
        {
            Assert.Equal(EAGAIN, Errno);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), failure);
            Thread.Sleep(5);
        }
    }
}
