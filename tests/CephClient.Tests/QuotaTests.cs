using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary><c>ceph.quota.max_bytes</c>: EDQUOT past it, and statfs under the quota root reporting it.</summary>
[Trait("Category", "Cluster")]
public sealed class QuotaTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private const long Quota = 4L << 20;
    private readonly CephMount _admin = fs.Mount;

    /// <summary>A directory with a 4 MiB quota, and a mount whose root it is (as a PVC's mount would be).</summary>
    private (CephMount Mount, CephInode Root, string Name) QuotaMount(long quota = Quota)
    {
        using var dir = fs.NewDir(out string name);
        string text = quota.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _admin.SetXattr(dir, "ceph.quota.max_bytes", text);
        Assert.Equal(text, _admin.GetXattrText(dir, "ceph.quota.max_bytes"));
        var mount = CephMount.Connect(TestMounts.Admin($"{fs.DirPath}/{name}"));
        return (mount, mount.LookupRoot(), name);
    }

    [Fact]
    public void StatFsUnderTheQuotaRootReportsTheQuota()
    {
        const long quota = 64L << 20;
        const long used = 8L << 20;
        var (mount, root, name) = QuotaMount(quota);
        using (mount)
        using (root)
        {
            Assert.Equal("true", mount.GetOption("client_quota_df"));
            var stat = mount.StatFs("/");
            // quota df counts in 4 MiB blocks (CEPH_BLOCK_SHIFT): usage shows in whole 4 MiB steps
            Assert.Equal(4UL << 20, stat.FragmentSize);
            Assert.Equal((ulong)quota, stat.TotalBytes);
            Assert.Equal((ulong)quota, stat.FreeBytes);
            var ll = mount.StatFs(root);
            Assert.Equal(stat.Blocks, ll.Blocks);

            var (inode, file) = mount.Create(root, "data", 0x1A4, OpenFlags.WriteOnly);
            using (inode)
            using (file)
            {
                mount.Write(file, 0, new byte[used]);
                mount.Fsync(file);
            }
            // used space is the quota root's rbytes, which the MDS propagates lazily
            Eventually.True(() => mount.StatFs("/").FreeBytes == (ulong)(quota - used), TimeSpan.FromSeconds(30),
                () => $"free {mount.StatFs("/").FreeBytes}, rbytes {mount.GetXattrText(root, "ceph.dir.rbytes")}");
            Assert.Equal((ulong)quota, mount.StatFs("/").TotalBytes);
            Assert.Equal((ulong)(quota - used), mount.StatFs(root).FreeBytes);
        }
        // the whole file system's mount is not limited by it, not even asked about the quota directory itself:
        // Pacific's statfs answers for the mount root's quota realm, whatever inode it is given
        Assert.NotEqual((ulong)quota, _admin.StatFs("/").TotalBytes);
        using var quotaDir = _admin.Walk($"{fs.DirPath}/{name}");
        Assert.Equal(_admin.StatFs("/").Blocks, _admin.StatFs(quotaDir).Blocks);
    }

    [Fact]
    public void WritesPastTheQuotaFailWithEDQUOT()
    {
        var (mount, root, _) = QuotaMount();
        using (mount)
        using (root)
        {
            var (inode, file) = mount.Create(root, "big", 0x1A4, OpenFlags.ReadWrite);
            using (inode)
            using (file)
            {
                // one write larger than the whole quota
                var e = Assert.Throws<CephException>(() => mount.Write(file, 0, new byte[Quota + 1]));
                Assert.Equal(Errno.EDQUOT, e.Errno);
                Assert.StartsWith("EDQUOT from ceph_ll_write(", e.Message, StringComparison.Ordinal);
                Assert.Equal(0UL, mount.GetAttr(inode, StatxMask.Size).Size);

                // within the quota, then past it once the MDS has accounted the first part
                Assert.Equal(3 << 20, mount.Write(file, 0, new byte[3 << 20]));
                mount.Fsync(file);
                Eventually.True(() => mount.GetXattrText(root, "ceph.dir.rbytes") == (3 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    TimeSpan.FromSeconds(30), () => $"rbytes {mount.GetXattrText(root, "ceph.dir.rbytes")}");
                Assert.Equal(-Errno.EDQUOT, mount.LowLevel.Write(file.Raw, 3 << 20, new byte[2 << 20]));
                Assert.Equal(3UL << 20, mount.GetAttr(inode, StatxMask.Size).Size);
            }
        }
    }

    [Fact]
    public void RestrictedClientCannotChangeQuotas()
    {
        using var dir = fs.NewDir(out string name);
        using var user = CephMount.Connect(TestMounts.User());
        using var userDir = user.Walk($"{fs.DirPath}/{name}");
        // fsuser's MDS caps are "rw" without 'p': quotas and layouts are not its to set
        var e = Assert.Throws<CephException>(() => user.SetXattr(userDir, "ceph.quota.max_bytes", "1048576"));
        Assert.Equal(Errno.EACCES, e.Errno);
        // while it may write ordinary xattrs and files there
        user.SetXattr(userDir, "user.note", "ok");
        var (inode, file) = user.Create(userDir, "mine", 0x1A4, OpenFlags.WriteOnly);
        inode.Dispose();
        file.Dispose();
        _admin.SetXattr(dir, "ceph.quota.max_bytes", "1048576");
        Assert.Equal("1048576", user.GetXattrText(userDir, "ceph.quota.max_bytes"));
    }
}
