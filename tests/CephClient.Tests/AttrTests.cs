using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>getattr with want masks and setattr of mode, owner, times and size.</summary>
[Trait("Category", "Cluster")]
public sealed class AttrTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    private CephInode NewFile(CephInode dir, string name = "f")
    {
        var (inode, file) = _m.Create(dir, name, 0x1A4, OpenFlags.ReadWrite);
        file.Dispose();
        return inode;
    }

    [Fact]
    public void GetAttrFillsWhatWasWanted()
    {
        using var dir = fs.NewDir(out _);
        using var inode = NewFile(dir);
        var all = _m.GetAttr(inode, StatxMask.AllStats);
        Assert.Equal(StatxMask.AllStats, all.Mask & StatxMask.AllStats);
        Assert.Equal(inode.Ino, all.Ino);
        Assert.Equal(CephSnap.NoSnap, all.Dev); // live inode
        Assert.Equal(VInodeNo.Head(inode.Ino), all.VInode);
        Assert.True(all.BlockSize > 0);
        Assert.True(all.BTime.Seconds > 0, "no birth time");
        Assert.True(all.Mask.HasFlag(StatxMask.Version));

        var sizeOnly = _m.GetAttr(inode, StatxMask.Size);
        Assert.True(sizeOnly.Mask.HasFlag(StatxMask.Size));
        Assert.Equal(inode.Ino, sizeOnly.Ino); // the inode number always comes along

        var cached = _m.GetAttr(inode, StatxMask.BasicStats, AtFlags.StatxDontSync);
        Assert.Equal(all.Mode, cached.Mode);
        Assert.Equal(all.Size, cached.Size);
    }

    [Fact]
    public void SetAttrChangesModeOwnerAndGroup()
    {
        using var dir = fs.NewDir(out _);
        using var inode = NewFile(dir);
        _m.SetAttr(inode, new CephStatx { Mode = 0x1C0 /* 0700 */ }, SetAttrMask.Mode);
        Assert.Equal(UnixMode.Regular | 0x1C0u, _m.GetAttr(inode).Mode); // the type bits stay

        _m.SetAttr(inode, new CephStatx { Uid = 1234, Gid = 5678 }, SetAttrMask.Uid | SetAttrMask.Gid);
        var attr = _m.GetAttr(inode);
        Assert.Equal(1234u, attr.Uid);
        Assert.Equal(5678u, attr.Gid);

        var ctimeBefore = attr.CTime;
        Thread.Sleep(20);
        _m.SetAttr(inode, new CephStatx { Mode = 0x1ED }, SetAttrMask.Mode);
        Assert.True(_m.GetAttr(inode).CTime.ToDateTimeOffset() > ctimeBefore.ToDateTimeOffset(), "ctime did not move");
    }

    [Fact]
    public void SetAttrSetsTimesToTheNanosecondOrToNow()
    {
        using var dir = fs.NewDir(out _);
        using var inode = NewFile(dir);
        var atime = new Timespec(1_000_000_000, 123_456_789);
        var mtime = new Timespec(1_500_000_000, 987_654_321);
        _m.SetAttr(inode, new CephStatx { ATime = atime, MTime = mtime }, SetAttrMask.ATime | SetAttrMask.MTime);
        var attr = _m.GetAttr(inode);
        Assert.Equal(atime, attr.ATime);
        Assert.Equal(mtime, attr.MTime);

        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        _m.SetAttr(inode, default, SetAttrMask.MTimeNow | SetAttrMask.ATimeNow);
        attr = _m.GetAttr(inode);
        Assert.InRange(attr.MTime.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.InRange(attr.ATime.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(5));

        var btime = new Timespec(900_000_000, 5);
        _m.SetAttr(inode, new CephStatx { BTime = btime }, SetAttrMask.BTime);
        Assert.Equal(btime, _m.GetAttr(inode, StatxMask.BTime).BTime);
        Assert.Equal(new DateTimeOffset(2017, 7, 14, 2, 40, 0, TimeSpan.Zero).AddTicks(9876543), mtime.ToDateTimeOffset());
        Assert.Equal(mtime.Seconds, Timespec.FromDateTimeOffset(mtime.ToDateTimeOffset()).Seconds);
    }

    [Fact]
    public void SetAttrSizeTruncatesAndExtends()
    {
        using var dir = fs.NewDir(out _);
        using var inode = NewFile(dir);
        using (var file = _m.Open(inode, OpenFlags.ReadWrite))
        {
            _m.Write(file, 0, "0123456789"u8);
            _m.SetAttr(inode, new CephStatx { Size = 4 }, SetAttrMask.Size);
            Assert.Equal(4UL, _m.GetAttr(inode).Size);
            _m.SetAttr(inode, new CephStatx { Size = 8 }, SetAttrMask.Size);
            var buffer = new byte[16];
            Assert.Equal(8, _m.Read(file, 0, buffer));
            Assert.Equal("0123\0\0\0\0"u8.ToArray(), buffer[..8]);
        }
    }

    [Fact]
    public void OnlyTheOwnerOrRootMayChangeAttributes()
    {
        using var dir = fs.NewDir(out _);
        using var inode = NewFile(dir);
        using var stranger = UserPerm.Create(4000, 4000);
        var e = Assert.Throws<CephException>(() => _m.SetAttr(inode, new CephStatx { Mode = 0x1FF }, SetAttrMask.Mode, stranger));
        Assert.Equal(Errno.EPERM, e.Errno);
        Assert.StartsWith("EPERM from ceph_ll_setattr(inode 0x", e.Message, StringComparison.Ordinal);

        _m.SetAttr(inode, new CephStatx { Uid = 4000 }, SetAttrMask.Uid);
        _m.SetAttr(inode, new CephStatx { Mode = 0x180 }, SetAttrMask.Mode, stranger); // now the owner
        Assert.Equal(UnixMode.Regular | 0x180u, _m.GetAttr(inode).Mode);
        // but giving the file away is root's privilege
        Assert.Equal(Errno.EPERM, Assert.Throws<CephException>(
            () => _m.SetAttr(inode, new CephStatx { Uid = 4001 }, SetAttrMask.Uid, stranger)).Errno);
    }
}
