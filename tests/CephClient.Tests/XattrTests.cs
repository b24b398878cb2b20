using System.Text;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>Extended attributes: user xattrs with size probes and their errors, and Ceph's virtual xattrs.</summary>
[Trait("Category", "Cluster")]
public sealed class XattrTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    [Fact]
    public void SetGetListRemove()
    {
        using var dir = fs.NewDir(out _);
        _m.SetXattr(dir, "user.colour", "blue");
        _m.SetXattr(dir, "user.empty", ReadOnlySpan<byte>.Empty);
        byte[] binary = [0, 1, 2, 255, 0, 7];
        _m.SetXattr(dir, "user.binary", binary);

        Assert.Equal("blue", _m.GetXattrText(dir, "user.colour"));
        Assert.Empty(_m.GetXattr(dir, "user.empty"));
        Assert.Equal(binary, _m.GetXattr(dir, "user.binary"));
        Assert.Equal(["user.binary", "user.colour", "user.empty"], _m.ListXattr(dir).Where(n => n.StartsWith("user.", StringComparison.Ordinal)).Order());

        _m.RemoveXattr(dir, "user.colour");
        Assert.DoesNotContain("user.colour", _m.ListXattr(dir));
        Assert.Equal("ENODATA from ceph_ll_getxattr(\"user.colour\"): No data available",
            Assert.Throws<CephException>(() => _m.GetXattr(dir, "user.colour")).Message);
        Assert.Equal(Errno.ENODATA, Assert.Throws<CephException>(() => _m.RemoveXattr(dir, "user.colour")).Errno);
    }

    [Fact]
    public void CreateAndReplaceFlagsAreEnforced()
    {
        using var dir = fs.NewDir(out _);
        _m.SetXattr(dir, "user.k", "1", XattrFlags.Create);
        Assert.Equal(Errno.EEXIST, Assert.Throws<CephException>(() => _m.SetXattr(dir, "user.k", "2", XattrFlags.Create)).Errno);
        _m.SetXattr(dir, "user.k", "3", XattrFlags.Replace);
        Assert.Equal("3", _m.GetXattrText(dir, "user.k"));
        Assert.Equal(Errno.ENODATA, Assert.Throws<CephException>(() => _m.SetXattr(dir, "user.absent", "x", XattrFlags.Replace)).Errno);
    }

    [Fact]
    public void HotPathSizeProbesAndShortBuffers()
    {
        using var dir = fs.NewDir(out _);
        var ll = _m.LowLevel;
        var perms = _m.DefaultPerms;
        Assert.Equal(0, ll.SetXattr(dir.Raw, "user.v"u8, "0123456789"u8, XattrFlags.None, perms));
        Assert.Equal(0, ll.SetXattr(dir.Raw, "user.w\0"u8, "x"u8, XattrFlags.None, perms));

        Assert.Equal(10, ll.GetXattr(dir.Raw, "user.v"u8, Span<byte>.Empty, perms)); // probe
        Span<byte> small = stackalloc byte[4];
        Assert.Equal(-Errno.ERANGE, ll.GetXattr(dir.Raw, "user.v"u8, small, perms));
        Span<byte> exact = stackalloc byte[10];
        Assert.Equal(10, ll.GetXattr(dir.Raw, "user.v"u8, exact, perms));
        Assert.Equal("0123456789"u8.ToArray(), exact.ToArray());
        Assert.Equal(-Errno.ENODATA, ll.GetXattr(dir.Raw, "user.none"u8, exact, perms));

        int listSize = ll.ListXattr(dir.Raw, Span<byte>.Empty, perms);
        Assert.True(listSize >= "user.v\0user.w\0".Length, $"list probe said {listSize}");
        Assert.Equal(-Errno.ERANGE, ll.ListXattr(dir.Raw, stackalloc byte[3], perms));
        var list = new byte[listSize];
        Assert.Equal(listSize, ll.ListXattr(dir.Raw, list, perms));
        var names = Encoding.UTF8.GetString(list).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("user.v", names);
        Assert.Contains("user.w", names);

        Assert.Equal(0, ll.RemoveXattr(dir.Raw, "user.w"u8, perms));
        Assert.Equal(-Errno.ENODATA, ll.RemoveXattr(dir.Raw, "user.w"u8, perms));
    }

    [Fact]
    public void CephVirtualXattrsDescribeLayoutAndRecursiveStats()
    {
        using var dir = fs.NewDir(out _);
        for (int i = 0; i < 3; i++)
        {
            var (inode, file) = _m.Create(dir, $"f{i}", 0x1A4, OpenFlags.WriteOnly);
            using (inode)
            using (file)
            {
                _m.Write(file, 0, new byte[1000 * (i + 1)]);
                _m.Fsync(file);
            }
        }
        using (_m.MkDir(dir, "sub")) { }

        Assert.Equal("4", _m.GetXattrText(dir, "ceph.dir.entries"));
        Assert.Equal("3", _m.GetXattrText(dir, "ceph.dir.files"));
        Assert.Equal("1", _m.GetXattrText(dir, "ceph.dir.subdirs"));
        // recursive stats propagate lazily from the MDS
        Eventually.True(() => _m.GetXattrText(dir, "ceph.dir.rbytes") == "6000", TimeSpan.FromSeconds(30),
            () => $"ceph.dir.rbytes = {_m.GetXattrText(dir, "ceph.dir.rbytes")}");
        Assert.Equal("3", _m.GetXattrText(dir, "ceph.dir.rfiles"));

        using var f0 = _m.Lookup(dir, "f0");
        string layout = _m.GetXattrText(f0, "ceph.file.layout");
        Assert.Contains("stripe_unit=4194304", layout, StringComparison.Ordinal);
        Assert.Contains("object_size=4194304", layout, StringComparison.Ordinal);
        Assert.Contains("pool=", layout, StringComparison.Ordinal);
        Assert.Equal(Errno.ENODATA, Assert.Throws<CephException>(() => _m.GetXattr(dir, "ceph.quota.max_bytes")).Errno);
    }
}

/// <summary>Polls a condition that the cluster makes true asynchronously.</summary>
internal static class Eventually
{
    public static void True(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not true within {timeout.TotalSeconds:0} s: {describe()}");
            Thread.Sleep(200);
        }
    }
}
