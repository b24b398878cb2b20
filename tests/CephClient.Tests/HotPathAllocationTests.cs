using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>The FUSE hot path allocates nothing on the managed heap per call.</summary>
[Trait("Category", "Cluster")]
public sealed class HotPathAllocationTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    [Fact]
    public void LookupAttrReadWriteReaddirAndXattrsDoNotAllocate()
    {
        var m = fs.Mount;
        var ll = m.LowLevel;
        using var dir = fs.NewDir(out _);
        var d = dir.Raw;
        var perms = m.DefaultPerms;
        Assert.Equal(0, ll.Create(d, "f\0"u8, 0x1A4, OpenFlags.ReadWrite | OpenFlags.Create, out var f, out var fh,
            out _, StatxMask.BasicStats, AtFlags.None, perms));
        byte[] buffer = new byte[65536];
        Assert.Equal(0, ll.SetXattr(f, "user.a"u8, "value"u8, XattrFlags.None, perms));

        int failures = 0;
        void Expect(long expected, long actual)
        {
            if (expected != actual)
                failures++; // no Assert here: xunit's assertions allocate
        }

        void Round()
        {
            Expect(0, ll.Lookup(d, "f"u8, out var c, out var attr, StatxMask.BasicStats, AtFlags.None, perms));
            Expect(f.Value, c.Value);
            Expect(0, ll.Forget(c, 1));
            Expect(0, ll.GetAttr(f, out attr, StatxMask.BasicStats, AtFlags.None, perms));
            Expect(buffer.Length, ll.Write(fh, 0, buffer));
            Expect(buffer.Length, ll.Read(fh, 0, buffer));
            Expect(2 * buffer.Length, ll.WriteV(fh, 0, buffer, buffer));
            Expect(5, ll.GetXattr(f, "user.a\0"u8, buffer.AsSpan(0, 16), perms));
            Expect(0, ll.OpenDir(d, out var dp, perms));
            while (ll.ReadDirPlus(dp, out Dirent entry, out CephStatx st, StatxMask.Ino, AtFlags.None, out var e) == 1)
                ll.Put(e);
            Expect(0, ll.ReleaseDir(dp));
            var permsNow = UserPermPtr.Create(0, 0);
            Expect(0, ll.GetAttr(f, out attr, StatxMask.Mode, AtFlags.StatxDontSync, permsNow));
            permsNow.Destroy();
        }

        for (int i = 0; i < 20; i++)
            Round(); // warm up: JIT, tiering, first-call stubs
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
            Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, ll.Close(fh));
        Assert.Equal(1, ll.Put(f));
        Assert.Equal(0, failures);
        Assert.True(allocated == 0, $"{allocated} bytes allocated in 200 rounds");
    }
}
