using System.Text;
using System.Text.Json;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>
/// Inode references: which calls hand one out, lookup by number, and proof through the client's admin socket
/// (<c>status</c> → inode_count, <c>dump_cache</c> → ll_ref) that balanced references let the cache drain.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ReferenceTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    /// <summary>A mount that trims its cache to one dentry, so unreferenced inodes leave it within a tick.</summary>
    private static CephMount TightMount() => CephMount.Connect(new CephMountOptions
    {
        Id = "admin",
        ConfigFile = TestMounts.Env.ConfPath,
        FileSystem = TestMounts.Env.FsName,
        MountTimeout = TestMounts.MountTimeout,
        AdminSocket = TestMounts.AdminSocket(),
        Options = new Dictionary<string, string> { ["client_cache_size"] = "1" },
    });

    private void MakeFiles(CephInode dir, int count)
    {
        var ll = _m.LowLevel;
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(0, ll.MkNod(dir.Raw, Encoding.ASCII.GetBytes($"n{i}"), UnixMode.Regular | 0x1A4, 0, out var inode,
                out _, StatxMask.None, AtFlags.None, _m.DefaultPerms));
            Assert.Equal(1, ll.Put(inode));
        }
    }

    [Fact]
    public void LookupInodeFindsCachedAndUncachedInodesByNumber()
    {
        using var dir = fs.NewDir(out string name);
        var (created, file) = _m.Create(dir, "f", 0x1A4, OpenFlags.WriteOnly);
        file.Dispose();
        using (created)
        {
            using (var again = _m.LookupInode(created.Ino))
                Assert.Equal(created.Raw, again.Raw);

            // a client that never saw the inode asks the MDS (what a restarted daemon does)
            using var other = CephMount.Connect(TestMounts.Admin());
            Assert.Null(other.GetCachedInode(VInodeNo.Head(created.Ino)));
            using (var remote = other.LookupInode(created.Ino))
            {
                Assert.Equal(created.Ino, other.GetAttr(remote).Ino);
                Assert.Equal(UnixMode.Regular | 0x1A4u, other.GetAttr(remote).Mode);
                using var cached = other.GetCachedInode(VInodeNo.Head(created.Ino));
                Assert.NotNull(cached);
                Assert.Equal(remote.Raw, cached.Raw);
                using var vino = other.LookupVino(VInodeNo.Head(created.Ino));
                Assert.Equal(remote.Raw, vino.Raw);
            }
            var missing = Assert.Throws<CephException>(() => other.LookupInode(0x10000ffffffUL));
            Assert.Equal(Errno.ESTALE, missing.Errno);
            Assert.Equal("ceph_ll_lookup_inode", missing.Call);
        }
    }

    [Fact]
    public void PutAndForgetReportTheLastReference()
    {
        using var dir = fs.NewDir(out _);
        MakeFiles(dir, 1);
        var ll = _m.LowLevel;
        var perms = _m.DefaultPerms;
        Assert.Equal(0, ll.Lookup(dir.Raw, "n0"u8, out var a, out _, StatxMask.None, AtFlags.None, perms));
        Assert.Equal(0, ll.Lookup(dir.Raw, "n0"u8, out var b, out _, StatxMask.None, AtFlags.None, perms));
        Assert.Equal(a, b);
        Assert.Equal(0, ll.Put(a));      // one of two
        Assert.Equal(1, ll.Forget(b, 1)); // the last
    }

    [Fact]
    public void ForgettingTheRootIsIgnored()
    {
        var ll = _m.LowLevel;
        long RootRefs() => _m.DumpCache().Single(i => i.VInode == VInodeNo.Head(CephSnap.RootIno)).LlRef;
        long before = RootRefs();
        var root = ll.GetInode(VInodeNo.Head(CephSnap.RootIno)); // +1
        Assert.False(root.IsNull);
        Assert.Equal(before + 1, RootRefs());
        // libcephfs ignores put/forget of inode 1 (FUSE never forgets its root) and answers "last"
        Assert.Equal(1, ll.Put(root));
        Assert.Equal(1, ll.Forget(root, 5));
        Assert.Equal(before + 1, RootRefs());
    }

    [Fact]
    public void ClientStatusCountsInodesHeldByReferencesAndDrainsWhenTheyAreGiven()
    {
        const int n = 200;
        using var dir = fs.NewDir(out string name);
        MakeFiles(dir, n);
        using var mount = TightMount();
        var ll = mount.LowLevel;
        using var subject = mount.Walk($"{fs.DirPath}/{name}");
        long baseline = WaitForStableCount(mount);

        var refs = new InodePtr[n];
        var vinos = new VInodeNo[n];
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(0, ll.Lookup(subject.Raw, Encoding.ASCII.GetBytes($"n{i}"), out refs[i], out var attr, StatxMask.Ino,
                AtFlags.None, mount.DefaultPerms));
            vinos[i] = attr.VInode;
        }
        Thread.Sleep(2500); // two client ticks: trimming cannot touch referenced inodes
        var held = mount.GetClientStatus();
        Assert.True(held.InodeCount >= baseline + n, $"baseline {baseline}, with {n} references {held.InodeCount}");
        var cache = mount.DumpCache().ToDictionary(i => i.VInode);
        Assert.All(vinos, v => Assert.Equal(1, cache[v].LlRef));

        foreach (var inode in refs)
            Assert.Equal(1, ll.Forget(inode, 1));
        Eventually.True(() => mount.GetClientStatus().InodeCount <= baseline, TimeSpan.FromSeconds(30),
            () => $"baseline {baseline}, now {mount.GetClientStatus().InodeCount}");
    }

    [Fact]
    public void ALeakedReferenceKeepsItsInodeCached()
    {
        using var dir = fs.NewDir(out string name);
        MakeFiles(dir, 3);
        using var mount = TightMount();
        var ll = mount.LowLevel;
        using var subject = mount.Walk($"{fs.DirPath}/{name}");
        long baseline = WaitForStableCount(mount);
        Assert.Equal(0, ll.Lookup(subject.Raw, "n0"u8, out var kept, out var keptAttr, StatxMask.Ino, AtFlags.None, mount.DefaultPerms));
        Assert.Equal(0, ll.Lookup(subject.Raw, "n1"u8, out var given, out _, StatxMask.Ino, AtFlags.None, mount.DefaultPerms));
        Assert.Equal(1, ll.Put(given));
        Eventually.True(() => mount.GetClientStatus().InodeCount == baseline + 1, TimeSpan.FromSeconds(30),
            () => $"baseline {baseline}, now {mount.GetClientStatus().InodeCount}");
        var leaked = mount.DumpCache().Single(i => i.VInode == keptAttr.VInode);
        Assert.Equal(1, leaked.LlRef);
        Assert.Equal(1, ll.Put(kept));
        Eventually.True(() => mount.GetClientStatus().InodeCount == baseline, TimeSpan.FromSeconds(30),
            () => $"baseline {baseline}, now {mount.GetClientStatus().InodeCount}");
    }

    [Fact]
    public void AnUndisposedCephInodeIsReleasedByItsFinalizer()
    {
        using var dir = fs.NewDir(out string name);
        MakeFiles(dir, 1);
        using var mount = TightMount();
        using var subject = mount.Walk($"{fs.DirPath}/{name}");
        var vino = LookUpAndDrop(mount, subject);
        Assert.Equal(1, mount.DumpCache().Single(i => i.VInode == vino).LlRef);
        Eventually.True(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return mount.DumpCache().All(i => i.VInode != vino || i.LlRef == 0);
        }, TimeSpan.FromSeconds(30), () => "the finalizer did not give the reference back");
    }

    private static VInodeNo LookUpAndDrop(CephMount mount, CephInode dir)
    {
        var inode = mount.Lookup(dir, "n0"); // never disposed
        return inode.VInode;
    }

    [Fact]
    public void LongMixedRunLeavesNoReferenceAndUnmountsCleanly()
    {
        using var dir = fs.NewDir(out string name);
        var mount = TightMount();
        ulong id = mount.InstanceId;
        string socket = mount.AdminSocketPath;
        var ll = mount.LowLevel;
        var perms = UserPermPtr.Create(0, 0);
        try
        {
            Assert.Equal(0, ll.Walk(Encoding.UTF8.GetBytes($"{fs.DirPath}/{name}"), out var d, out _, StatxMask.Ino,
                AtFlags.None, perms));
            long baseline = WaitForStableCount(mount);
            long llBaseline = mount.DumpCache().Sum(i => i.LlRef);
            Span<byte> nameBuf = stackalloc byte[32];
            byte[] data = new byte[8192];
            for (int i = 0; i < 1000; i++)
            {
                int len = Encoding.ASCII.GetBytes($"f{i % 50}\0", nameBuf);
                var fname = nameBuf[..len];
                int r = ll.Create(d, fname, 0x1A4, OpenFlags.ReadWrite | OpenFlags.Create, out var f, out var fh, out _,
                    StatxMask.BasicStats, AtFlags.None, perms);
                Assert.Equal(0, r);
                Assert.Equal(data.Length, ll.Write(fh, i, data));
                Assert.Equal(100, ll.Read(fh, 0, data.AsSpan(0, 100)));
                Assert.Equal(0, ll.GetAttr(f, out _, StatxMask.Size, AtFlags.None, perms));
                Assert.Equal(0, ll.Close(fh));
                Assert.Equal(0, ll.Lookup(d, fname, out var again, out _, StatxMask.Ino, AtFlags.None, perms));
                Assert.Equal(0, ll.Forget(again, 1));
                if (i % 10 == 9)
                {
                    Assert.Equal(0, ll.OpenDir(d, out var dp, perms));
                    while (ll.ReadDirPlus(dp, out _, out _, StatxMask.Ino, AtFlags.None, out var e) == 1)
                        ll.Put(e);
                    Assert.Equal(0, ll.ReleaseDir(dp));
                    Assert.Equal(0, ll.Unlink(d, fname, perms));
                }
                ll.Put(f);
            }
            Assert.Equal(0, ll.Put(d) < 0 ? -1 : 0);
            Assert.Equal(llBaseline - 1, mount.DumpCache().Sum(i => i.LlRef)); // the walk's reference is gone too
            Eventually.True(() => mount.GetClientStatus().InodeCount <= baseline, TimeSpan.FromSeconds(30),
                () => $"baseline {baseline}, now {mount.GetClientStatus().InodeCount}");
        }
        finally
        {
            perms.Destroy();
            mount.Dispose();
        }
        Assert.False(File.Exists(socket), "the client was not released");
        using var sessions = JsonDocument.Parse(CephCli.Run("tell", "mds.a", "session", "ls", "--format", "json"));
        Assert.DoesNotContain(id, sessions.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetUInt64()));
    }

    /// <summary>The inode count once the client has trimmed what it can (ticks are one second apart).</summary>
    private static long WaitForStableCount(CephMount mount)
    {
        long last = mount.GetClientStatus().InodeCount;
        for (int i = 0; i < 30; i++)
        {
            Thread.Sleep(1100);
            long now = mount.GetClientStatus().InodeCount;
            if (now == last)
                return now;
            last = now;
        }
        return last;
    }
}
