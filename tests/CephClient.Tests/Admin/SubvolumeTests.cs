using Xunit;
using System.Diagnostics;
using ManagedCephFuse.CephClient.Admin;

namespace ManagedCephFuse.CephClient.Tests.Admin;

[Trait("Category", "Cluster")]
public sealed class SubvolumeTests(AdminTestCluster cluster) : IClassFixture<AdminTestCluster>
{
    private const long GiB = 1L << 30;
    private readonly CephAdmin _admin = cluster.Admin;
    private readonly string _fs = cluster.FsName;

    [Fact]
    public void FileSystemCommandsDescribeTheTestFileSystem()
    {
        var entry = Assert.Single(_admin.ListFileSystems(), e => e.Name == _fs);
        Assert.Equal($"{_fs}_metadata", entry.MetadataPool);
        Assert.Contains($"{_fs}_data", entry.DataPools);

        var info = _admin.GetFileSystem(_fs);
        Assert.Equal(_fs, info.Name);
        Assert.True(info.Id >= 0);
        Assert.Equal(entry.MetadataPoolId, info.MetadataPoolId);
        Assert.Equal(entry.DataPoolIds, info.DataPoolIds);

        var map = _admin.DumpFileSystems();
        Assert.True(map.Epoch > 0);
        Assert.Equal(_fs, Assert.Single(map.FileSystems, f => f.Id == info.Id).Name);
    }

    [Fact]
    public void SubvolumeLifecycle()
    {
        string group = AdminTestCluster.Unique("grp");
        string name = AdminTestCluster.Unique("sub");
        _admin.CreateSubvolumeGroup(_fs, group);
        try
        {
            _admin.CreateSubvolumeGroup(_fs, group); // idempotent
            Assert.Equal($"/volumes/{group}", _admin.GetSubvolumeGroupPath(_fs, group));

            var options = new SubvolumeCreateOptions { Group = group, Size = GiB, Mode = "777", PoolLayout = $"{_fs}_data" };
            _admin.CreateSubvolume(_fs, name, options);
            _admin.CreateSubvolume(_fs, name, options); // idempotent

            string path = _admin.GetSubvolumePath(_fs, name, group);
            Assert.StartsWith($"/volumes/{group}/{name}/", path, StringComparison.Ordinal);
            Assert.Contains(name, _admin.ListSubvolumes(_fs, group));

            var info = _admin.GetSubvolumeInfo(_fs, name, group);
            Assert.Equal(path, info.Path);
            Assert.Equal(GiB, info.BytesQuota);
            Assert.Equal(0, info.BytesUsed);
            Assert.Equal(Convert.ToInt32("40777", 8), info.Mode);
            Assert.Equal($"{_fs}_data", info.DataPool);
            Assert.Equal("complete", info.State);
            Assert.Equal("subvolume", info.Type);
            Assert.Contains(cluster.Env.MonV1, info.MonAddresses);

            _admin.RemoveSubvolume(_fs, name, group);
            var missing = Assert.Throws<CephException>(() => _admin.GetSubvolumeInfo(_fs, name, group));
            Assert.Equal(Errno.ENOENT, missing.Errno);
            Assert.DoesNotContain(name, _admin.ListSubvolumes(_fs, group));
            var again = Assert.Throws<CephException>(() => _admin.RemoveSubvolume(_fs, name, group));
            Assert.Equal(Errno.ENOENT, again.Errno);
            _admin.RemoveSubvolume(_fs, name, group, force: true); // force tolerates a missing subvolume
        }
        finally
        {
            _admin.RemoveSubvolume(_fs, name, group, force: true);
            _admin.RemoveSubvolumeGroup(_fs, group, force: true);
        }
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => _admin.GetSubvolumeGroupPath(_fs, group)).Errno);
    }

    [Fact]
    public void ResizeGrowsAndNoShrinkRefusesToGoBelowTheBytesInUse()
    {
        string group = AdminTestCluster.Unique("grp");
        string name = AdminTestCluster.Unique("sub");
        _admin.CreateSubvolumeGroup(_fs, group);
        try
        {
            _admin.CreateSubvolume(_fs, name, new SubvolumeCreateOptions { Group = group, Size = GiB, Mode = "777" });

            var grown = _admin.ResizeSubvolume(_fs, name, 2 * GiB, group);
            Assert.Equal(2 * GiB, grown.BytesQuota);
            Assert.Equal(2 * GiB, _admin.GetSubvolumeInfo(_fs, name, group).BytesQuota);

            // Put 8 MiB into the subvolume through a real ceph-fuse mount, then wait for the MDS rstats.
            string path = _admin.GetSubvolumePath(_fs, name, group);
            FuseMount.WriteFile(cluster.Env, path, "data", 8 << 20);
            long used = WaitForBytesUsed(group, name, 8 << 20);
            Assert.True(used >= 8 << 20, $"bytes_used {used}");

            var refused = Assert.Throws<CephException>(() => _admin.ResizeSubvolume(_fs, name, 1 << 20, group, noShrink: true));
            Assert.Equal(Errno.EINVAL, refused.Errno);
            Assert.Equal(2 * GiB, _admin.GetSubvolumeInfo(_fs, name, group).BytesQuota);

            var unlimited = _admin.ResizeSubvolume(_fs, name, null, group);
            Assert.Null(unlimited.BytesQuota);
            Assert.Null(_admin.GetSubvolumeInfo(_fs, name, group).BytesQuota);
        }
        finally
        {
            _admin.RemoveSubvolume(_fs, name, group, force: true);
            _admin.RemoveSubvolumeGroup(_fs, group, force: true);
        }
    }

    [Fact]
    public void SnapshotAndCloneLifecycle()
    {
        string group = AdminTestCluster.Unique("grp");
        string name = AdminTestCluster.Unique("sub");
        string snap = AdminTestCluster.Unique("snap");
        string clone = AdminTestCluster.Unique("clone");
        _admin.CreateSubvolumeGroup(_fs, group);
        try
        {
            _admin.CreateSubvolume(_fs, name, new SubvolumeCreateOptions { Group = group, Size = GiB });
            _admin.CreateSubvolumeSnapshot(_fs, name, snap, group);
            Assert.Equal([snap], _admin.ListSubvolumeSnapshots(_fs, name, group));
            var snapInfo = _admin.GetSubvolumeSnapshotInfo(_fs, name, snap, group);
            Assert.False(string.IsNullOrEmpty(snapInfo.CreatedAt));
            Assert.Equal($"{_fs}_data", snapInfo.DataPool);

            // a subvolume with snapshots cannot be removed
            Assert.Equal(Errno.ENOTEMPTY,
                Assert.Throws<CephException>(() => _admin.RemoveSubvolume(_fs, name, group)).Errno);

            _admin.CloneSubvolumeSnapshot(_fs, name, snap, clone, new CloneOptions { Group = group, TargetGroup = group });
            var status = _admin.GetCloneStatus(_fs, clone, group);
            Assert.Contains(status.State, new[] { CloneState.Pending, CloneState.InProgress, CloneState.Complete });
            var deadline = Stopwatch.StartNew();
            while (status.State != CloneState.Complete && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                Assert.NotEqual(CloneState.Failed, status.State);
                if (status.State != CloneState.Complete)
                    Assert.Equal(name, status.SourceSubvolume);
                Thread.Sleep(500);
                status = _admin.GetCloneStatus(_fs, clone, group);
            }
            Assert.Equal(CloneState.Complete, status.State);
            Assert.Equal("complete", _admin.GetSubvolumeInfo(_fs, clone, group).State);

            _admin.RemoveSubvolume(_fs, clone, group);
            _admin.RemoveSubvolumeSnapshot(_fs, name, snap, group);
            Assert.Empty(_admin.ListSubvolumeSnapshots(_fs, name, group));
            Assert.Equal(Errno.ENOENT,
                Assert.Throws<CephException>(() => _admin.GetSubvolumeSnapshotInfo(_fs, name, snap, group)).Errno);
            Assert.Equal(Errno.ENOENT,
                Assert.Throws<CephException>(() => _admin.RemoveSubvolumeSnapshot(_fs, name, snap, group)).Errno);
            _admin.RemoveSubvolumeSnapshot(_fs, name, snap, group, force: true);
            _admin.RemoveSubvolume(_fs, name, group);
        }
        finally
        {
            _admin.RemoveSubvolume(_fs, clone, group, force: true);
            _admin.RemoveSubvolumeSnapshot(_fs, name, snap, group, force: true);
            _admin.RemoveSubvolume(_fs, name, group, force: true);
            _admin.RemoveSubvolumeGroup(_fs, group, force: true);
        }
    }

    private long WaitForBytesUsed(string group, string name, long atLeast)
    {
        var clock = Stopwatch.StartNew();
        long used = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            used = _admin.GetSubvolumeInfo(_fs, name, group).BytesUsed;
            if (used >= atLeast)
                return used;
            Thread.Sleep(500);
        }
        return used;
    }
}
