using Xunit;
using ManagedCephFuse.CephClient.Rados;

namespace ManagedCephFuse.CephClient.Tests.Admin;

[Trait("Category", "Cluster")]
public sealed class OmapTests(AdminTestCluster cluster) : IClassFixture<AdminTestCluster>
{
    private string MetadataPool => $"{cluster.FsName}_metadata";

    [Fact]
    public void OmapRoundTripInAPoolNamespace()
    {
        string ns = AdminTestCluster.Unique("omap-test");
        string oid = "csi.volumes.test";
        using var io = cluster.Admin.Cluster.OpenIoContext(MetadataPool, ns);
        Assert.Equal(ns, io.Namespace);
        try
        {
            io.CreateObject(oid, exclusive: true);
            Assert.Equal(Errno.EEXIST, Assert.Throws<CephException>(() => io.CreateObject(oid, exclusive: true)).Errno);
            io.CreateObject(oid, exclusive: false); // idempotent create

            var values = new Dictionary<string, string>
            {
                ["csi.volume.pvc-1"] = "7c3ae1e4-0a55-4e8c-9b8e-4f0e0a6b2c11",
                ["csi.volume.pvc-ü"] = "non-ascii ✓",
                ["csi.volume.empty"] = "",
                ["other.key"] = "x",
            };
            io.SetOmapValues(oid, values);

            var some = io.GetOmapValues(oid, ["csi.volume.pvc-1", "csi.volume.pvc-ü", "csi.volume.absent"]);
            Assert.Equal(2, some.Count);
            Assert.Equal(values["csi.volume.pvc-1"], some["csi.volume.pvc-1"]);
            Assert.Equal("non-ascii ✓", some["csi.volume.pvc-ü"]);

            var prefixed = io.GetOmapValues(oid, "csi.");
            Assert.Equal(3, prefixed.Count);
            Assert.Equal("", prefixed["csi.volume.empty"]);
            Assert.Equal(4, io.GetOmapValues(oid).Count);

            io.RemoveOmapKeys(oid, ["csi.volume.pvc-1", "csi.volume.absent"]);
            Assert.Empty(io.GetOmapValues(oid, ["csi.volume.pvc-1"]));
            Assert.Equal(3, io.GetOmapValues(oid).Count);

            // the same object name in another namespace is another object
            using (var other = cluster.Admin.Cluster.OpenIoContext(MetadataPool, ns + "-other"))
                Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => other.GetOmapValues(oid, ["other.key"])).Errno);

            io.RemoveObject(oid);
            Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => io.GetOmapValues(oid, "csi.")).Errno);
            Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => io.RemoveObject(oid)).Errno);
        }
        finally
        {
            try { io.RemoveObject(oid); } catch (CephException e) when (e.Errno == Errno.ENOENT) { }
        }
    }

    [Fact]
    public void OmapListingPagesThroughManyKeys()
    {
        string ns = AdminTestCluster.Unique("omap-page");
        const string oid = "many";
        using var io = cluster.Admin.Cluster.OpenIoContext(MetadataPool, ns);
        try
        {
            var values = new Dictionary<string, string>();
            for (int i = 0; i < 2500; i++)
                values[$"k.{i:D5}"] = $"v{i}";
            io.SetOmapValues(oid, values);
            var all = io.GetOmapValues(oid, "k.");
            Assert.Equal(values, all);
        }
        finally
        {
            io.RemoveObject(oid);
        }
    }

    [Fact]
    public void PoolLookupAndMissingPool()
    {
        Assert.True(cluster.Admin.Cluster.LookupPool(MetadataPool) >= 0);
        var e = Assert.Throws<CephException>(() => cluster.Admin.Cluster.LookupPool("no-such-pool"));
        Assert.Equal(Errno.ENOENT, e.Errno);
        var open = Assert.Throws<CephException>(() => cluster.Admin.Cluster.OpenIoContext("no-such-pool"));
        Assert.Equal(Errno.ENOENT, open.Errno);
        Assert.Contains("no-such-pool", open.Message, StringComparison.Ordinal);
    }
}
