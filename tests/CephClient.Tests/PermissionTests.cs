using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>UserPerm credentials: uid/gid checks, supplementary groups (the list libcephfs does not copy), and
/// hot-path credentials without a managed object.</summary>
[Trait("Category", "Cluster")]
public sealed class PermissionTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    [Fact]
    public void AnOrdinaryUserIsCheckedAgainstModeBits()
    {
        using var dir = fs.NewDir(out _);
        using var closed = _m.MkDir(dir, "closed", 0x1ED); // 0755 root:root
        using var open = _m.MkDir(dir, "open", 0x1FF);     // 0777
        using var user = UserPerm.Create(1000, 1000);
        Assert.Equal(1000u, user.Uid);

        var e = Assert.Throws<CephException>(() => _m.Create(closed, "x", 0x1A4, OpenFlags.WriteOnly, user));
        Assert.Equal(Errno.EACCES, e.Errno);
        Assert.Equal("EACCES from ceph_ll_create(\"x\"): Permission denied", e.Message);

        var (inode, file) = _m.Create(open, "mine", 0x1A4, OpenFlags.WriteOnly, user);
        using (inode)
        using (file)
        {
            var attr = _m.GetAttr(inode);
            Assert.Equal(1000u, attr.Uid);
            Assert.Equal(1000u, attr.Gid);
        }
        using var other = UserPerm.Create(1001, 1001);
        using var mine = _m.Lookup(open, "mine");
        Assert.Equal(Errno.EACCES, Assert.Throws<CephException>(() => _m.Open(mine, OpenFlags.WriteOnly, other)).Errno);
        using var reader = _m.Open(mine, OpenFlags.ReadOnly, other); // 0644 lets others read
    }

    [Fact]
    public void SupplementaryGroupsGrantAccessForTheUserPermsLifetime()
    {
        using var dir = fs.NewDir(out _);
        using var team = _m.MkDir(dir, "team", 0x1F8); // 0770
        _m.SetAttr(team, new CephStatx { Gid = 2000 }, SetAttrMask.Gid);

        using var outsider = UserPerm.Create(1000, 1000);
        Assert.Equal(Errno.EACCES, Assert.Throws<CephException>(() => _m.OpenDir(team, outsider)).Errno);

        UserPerm member = UserPerm.Create(1000, 1000, [3000, 2000, 4000]);
        try
        {
            Assert.Equal([3000u, 2000u, 4000u], member.Groups);
            // churn the managed heap: the group list must not move or vanish under libcephfs
            for (int i = 0; i < 3; i++)
            {
                _ = new byte[1 << 20];
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
            using (_m.OpenDir(team, member)) { }
            var (inode, file) = _m.Create(team, "shared", 0x1B0, OpenFlags.WriteOnly, member);
            inode.Dispose();
            file.Dispose();
        }
        finally
        {
            member.Dispose();
        }
        Assert.Throws<ObjectDisposedException>(() => member.Raw);
    }

    [Fact]
    public unsafe void HotPathCredentialsNeedNoManagedObject()
    {
        using var dir = fs.NewDir(out _);
        using var team = _m.MkDir(dir, "team", 0x1F8);
        _m.SetAttr(team, new CephStatx { Gid = 2000 }, SetAttrMask.Gid);
        var ll = _m.LowLevel;

        var plain = UserPermPtr.Create(1000, 1000);
        Assert.False(plain.IsNull);
        Assert.Equal(-Errno.EACCES, ll.OpenDir(team.Raw, out _, plain));
        plain.Destroy();

        uint* groups = stackalloc uint[] { 2000 }; // lives as long as this frame, which outlives the UserPerm
        var member = UserPermPtr.Create(1000, 1000, 1, groups);
        try
        {
            Assert.Equal(0, ll.OpenDir(team.Raw, out var d, member));
            Assert.Equal(0, ll.ReleaseDir(d));
            Assert.Equal(0, ll.MkDir(team.Raw, "sub"u8, 0x1ED, out var sub, out var attr, StatxMask.Uid | StatxMask.Gid,
                AtFlags.None, member));
            Assert.Equal(1000u, attr.Uid);
            Assert.Equal(1000u, attr.Gid); // no setgid bit on the parent: the creator's primary gid
            ll.Put(sub);
        }
        finally
        {
            member.Destroy();
        }
    }

    [Fact]
    public void RestrictedAndAdminClientsSeeTheSameTree()
    {
        using var dir = fs.NewDir(out string name);
        using (_m.MkDir(dir, "by-admin")) { }
        using var user = CephMount.Connect(TestMounts.User());
        using var userDir = user.Walk($"{fs.DirPath}/{name}");
        using (user.MkDir(userDir, "by-user")) { }
        Assert.Equal(["by-admin", "by-user"], _m.ListDirectory(dir).Select(e => e.Name).Order());
        Assert.Equal(["by-admin", "by-user"], user.ListDirectory(userDir).Select(e => e.Name).Order());
        Assert.Equal(fs.Mount.GetClientStatus().FileSystem, user.GetClientStatus().FileSystem);
        Assert.NotEqual(fs.Mount.InstanceId, user.InstanceId);
    }
}
