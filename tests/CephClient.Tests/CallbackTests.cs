using System.Collections.Concurrent;
using System.Text;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>
/// What libcephfs 16.2 really delivers through ceph_ll_register_callbacks: inode invalidation when another
/// client writes, dentry invalidation when another client removes a name this one holds, ino_release and remount
/// on an MDS cap recall, umask under POSIX ACLs, the interrupt switch around a blocking lock.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class CallbackTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private sealed record Event(string Kind, VInodeNo A, VInodeNo B, long Offset, long Length, string Name, nint Data, int Thread);

    private sealed class Recorder(uint umask = 0x12, bool fail = false) : ICephClientCallbacks
    {
        public ConcurrentQueue<Event> Events { get; } = new();

        public void InvalidateInode(VInodeNo inode, long offset, long length)
        {
            Events.Enqueue(new("ino", inode, default, offset, length, "", 0, Environment.CurrentManagedThreadId));
            if (fail)
                throw new InvalidOperationException("sink failure");
        }

        public void InvalidateDentry(VInodeNo directory, VInodeNo inode, ReadOnlySpan<byte> name) =>
            Events.Enqueue(new("dentry", directory, inode, 0, 0, Encoding.UTF8.GetString(name), 0, Environment.CurrentManagedThreadId));

        public void SwitchInterrupt(nint request) =>
            Events.Enqueue(new("interrupt", default, default, 0, 0, "", request, Environment.CurrentManagedThreadId));

        public int Remount()
        {
            Events.Enqueue(new("remount", default, default, 0, 0, "", 0, Environment.CurrentManagedThreadId));
            return 0;
        }

        public uint GetUmask()
        {
            Events.Enqueue(new("umask", default, default, 0, 0, "", 0, Environment.CurrentManagedThreadId));
            return umask;
        }

        public void ReleaseInode(VInodeNo inode) =>
            Events.Enqueue(new("release", inode, default, 0, 0, "", 0, Environment.CurrentManagedThreadId));

        public Event WaitFor(Func<Event, bool> match, string what)
        {
            var deadline = DateTime.UtcNow + Wait;
            while (DateTime.UtcNow < deadline)
            {
                if (Events.FirstOrDefault(match) is { } found)
                    return found;
                Thread.Sleep(100);
            }
            Assert.Fail($"no {what} within {Wait.TotalSeconds:0} s; got [{string.Join("; ", Events)}]");
            return null!;
        }
    }

    private static CephMount MountWith(Recorder sink, CephCallbackKinds kinds, Dictionary<string, string>? options = null)
    {
        var mount = CephMount.Connect(new CephMountOptions
        {
            Id = "admin",
            ConfigFile = TestMounts.Env.ConfPath,
            FileSystem = TestMounts.Env.FsName,
            MountTimeout = TestMounts.MountTimeout,
            AdminSocket = TestMounts.AdminSocket(),
            Options = options,
        });
        mount.RegisterCallbacks(sink, kinds);
        return mount;
    }

    [Fact]
    public void WriteByAnotherClientInvalidatesTheCachedInode()
    {
        using var dir = fs.NewDir(out string name);
        var sink = new Recorder();
        using var a = MountWith(sink, CephCallbackKinds.Invalidation);
        using var b = CephMount.Connect(TestMounts.Admin());
        using var aDir = a.Walk($"{fs.DirPath}/{name}");
        var (file, fh) = a.Create(aDir, "f", 0x1A4, OpenFlags.ReadWrite);
        using (file)
        {
            using (fh)
            {
                a.Write(fh, 0, "hello"u8);
                a.Fsync(fh);
                Assert.Equal(5, a.Read(fh, 0, new byte[8])); // A caches the data
            }
            Assert.DoesNotContain(sink.Events, e => e.Kind == "ino" && e.A == file.VInode);

            using (var bFile = b.Walk($"{fs.DirPath}/{name}/f"))
            using (var bfh = b.Open(bFile, OpenFlags.ReadWrite))
                b.Write(bfh, 0, "world!"u8);

            var e = sink.WaitFor(e => e.Kind == "ino" && e.A == file.VInode, $"inode invalidation of {file.VInode}");
            Assert.Equal(0, e.Offset);
            Assert.Equal(0, e.Length); // the whole file
            Assert.NotEqual(Environment.CurrentManagedThreadId, e.Thread); // a libcephfs thread
            using var again = a.Open(file, OpenFlags.ReadOnly);
            var buffer = new byte[8];
            Assert.Equal("world!", Encoding.ASCII.GetString(buffer, 0, a.Read(again, 0, buffer)));
        }
        Assert.Equal(0, a.CallbackFailures);
    }

    [Fact]
    public void RemovalByAnotherClientInvalidatesAHeldDentry()
    {
        using var dir = fs.NewDir(out string name);
        var sink = new Recorder();
        using var a = MountWith(sink, CephCallbackKinds.Invalidation);
        using var b = CephMount.Connect(TestMounts.Admin());
        using var bDir = b.Walk($"{fs.DirPath}/{name}");
        var (created, cfh) = b.Create(bDir, "g", 0x1A4, OpenFlags.WriteOnly);
        created.Dispose();
        cfh.Dispose();

        using var aDir = a.Walk($"{fs.DirPath}/{name}");
        using (var held = a.Lookup(aDir, "g")) // A holds a reference, as the kernel's dcache would through FUSE
        {
            b.Unlink(bDir, "g");
            var e = sink.WaitFor(e => e.Kind == "dentry", "dentry invalidation");
            Assert.Equal(aDir.VInode, e.A);
            Assert.Equal(held.VInode, e.B);
            Assert.Equal("g", e.Name);
        }
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => a.Lookup(aDir, "g")).Errno);
    }

    [Fact]
    public void CapRecallAsksToReleaseInodesAndToTrimTheKernelCache()
    {
        const int n = 150; // more caps than mds_min_caps_per_client (100), so the MDS recalls
        using var dir = fs.NewDir(out string name);
        for (int i = 0; i < n; i++)
        {
            var (x, xf) = fs.Mount.Create(dir, $"m{i}", 0x1A4, OpenFlags.WriteOnly);
            x.Dispose();
            xf.Dispose();
        }
        var sink = new Recorder();
        using var a = MountWith(sink, CephCallbackKinds.Invalidation | CephCallbackKinds.Remount);
        using var aDir = a.Walk($"{fs.DirPath}/{name}");
        var held = Enumerable.Range(0, n).Select(i => a.Lookup(aDir, $"m{i}")).ToList();
        try
        {
            var heldVinos = held.Select(h => h.VInode).ToHashSet();
            CephCli.Run("tell", "mds.a", "cache", "drop", "5");
            sink.WaitFor(e => e.Kind == "release" && heldVinos.Contains(e.A), "ino_release of a held inode");
            sink.WaitFor(e => e.Kind == "remount", "remount");
        }
        finally
        {
            foreach (var h in held)
                h.Dispose();
        }
        Assert.Equal(0, a.CallbackFailures);
    }

    [Fact]
    public void UmaskIsAskedForWhenPosixAclsAreOn()
    {
        using var dir = fs.NewDir(out string name);
        var sink = new Recorder(umask: 0x3F); // 077
        using var acl = MountWith(sink, CephCallbackKinds.Umask, new() { ["client_acl_type"] = "posix_acl" });
        using var aclDir = acl.Walk($"{fs.DirPath}/{name}");
        var (file, fh) = acl.Create(aclDir, "f", 0x1B6 /* 0666 */, OpenFlags.WriteOnly);
        fh.Dispose();
        using (file)
            Assert.Equal(UnixMode.Regular | 0x180u, acl.GetAttr(file).Mode); // 0600
        using (var sub = acl.MkDir(aclDir, "d", 0x1FF))
            Assert.Equal(UnixMode.Directory | 0x1C0u, acl.GetAttr(sub).Mode); // 0700
        Assert.Equal(2, sink.Events.Count(e => e.Kind == "umask"));

        var plainSink = new Recorder(umask: 0x3F);
        using var plain = MountWith(plainSink, CephCallbackKinds.Umask);
        using var plainDir = plain.Walk($"{fs.DirPath}/{name}");
        using (var sub = plain.MkDir(plainDir, "e", 0x1FF))
            Assert.Equal(UnixMode.Directory | 0x1FFu, plain.GetAttr(sub).Mode); // no ACLs: the mode as given
        Assert.Empty(plainSink.Events);
    }

    [Fact]
    public void BlockingLockSwitchesTheInterruptOnItsThread()
    {
        using var dir = fs.NewDir(out string name);
        var sink = new Recorder();
        using var b = MountWith(sink, CephCallbackKinds.SwitchInterrupt);
        var (file, fh) = fs.Mount.Create(dir, "lock", 0x1A4, OpenFlags.ReadWrite);
        using (file)
        using (fh)
        {
            fs.Mount.SetLock(fh, Flock.Create(LockType.Write), owner: 1, wait: false);
            using var bFile = b.Walk($"{fs.DirPath}/{name}/lock");
            using var bfh = b.Open(bFile, OpenFlags.ReadWrite);
            int waiterThread = 0;
            var waiter = new Thread(() =>
            {
                waiterThread = Environment.CurrentManagedThreadId;
                b.SetLock(bfh, Flock.Create(LockType.Write), owner: 2, wait: true);
            });
            waiter.Start();
            var on = sink.WaitFor(e => e.Kind == "interrupt" && e.Data != 0, "interrupt switch for the waiting request");
            Assert.Equal(waiterThread, on.Thread); // called on the thread that blocks, before it blocks
            fs.Mount.SetLock(fh, Flock.Create(LockType.Unlock), owner: 1, wait: false);
            Assert.True(waiter.Join(Wait), "lock not granted");
            var off = sink.WaitFor(e => e.Kind == "interrupt" && e.Data == 0, "interrupt switch back");
            Assert.Equal(waiterThread, off.Thread);
        }
    }

    [Fact]
    public void AThrowingSinkIsCountedAndTheClientCarriesOn()
    {
        using var dir = fs.NewDir(out string name);
        var sink = new Recorder(fail: true);
        using var a = MountWith(sink, CephCallbackKinds.InvalidateInode);
        Assert.Throws<InvalidOperationException>(() => a.RegisterCallbacks(sink, CephCallbackKinds.InvalidateInode));
        using var b = CephMount.Connect(TestMounts.Admin());
        using var aDir = a.Walk($"{fs.DirPath}/{name}");
        var (file, fh) = a.Create(aDir, "f", 0x1A4, OpenFlags.ReadWrite);
        using (file)
        using (fh)
        {
            a.Write(fh, 0, "x"u8);
            a.Fsync(fh);
            a.Read(fh, 0, new byte[1]);
            using (var bFile = b.Walk($"{fs.DirPath}/{name}/f"))
            using (var bfh = b.Open(bFile, OpenFlags.WriteOnly))
                b.Write(bfh, 0, "y"u8);
            sink.WaitFor(e => e.Kind == "ino", "inode invalidation");
            Eventually.True(() => a.CallbackFailures >= 1, Wait, () => $"failures {a.CallbackFailures}");
            Assert.Equal(1, a.Read(fh, 0, new byte[1]));
        }
    }
}
