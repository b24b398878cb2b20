using System.Text;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>Snapshots through <c>.snap</c>: snapshot inodes carry their snap id (vino), read the old data, and
/// are found again with lookup_vino; the snap realm's sequence moves.</summary>
[Trait("Category", "Cluster")]
public sealed class SnapshotTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    [Fact]
    public void SnapshotInodesHaveTheirOwnVinoAndKeepTheOldData()
    {
        using var dir = fs.NewDir(out _);
        var (file, fh) = _m.Create(dir, "f", 0x1A4, OpenFlags.ReadWrite);
        using var keepFile = file;
        using (fh)
            _m.Write(fh, 0, "version 1"u8);

        using var snapdir = _m.Lookup(dir, ".snap");
        var snapdirAttr = _m.GetAttr(snapdir);
        Assert.Equal(CephSnap.SnapDir, snapdirAttr.Dev);
        Assert.Equal(new VInodeNo(dir.Ino, CephSnap.SnapDir), snapdirAttr.VInode);
        ulong seqBefore = _m.SnapSeq(dir);

        using (_m.MkDir(snapdir, "s1")) { }
        try
        {
            Assert.True(_m.SnapSeq(dir) > seqBefore, $"snap seq stayed {seqBefore}");
            using (var live = _m.Open(file, OpenFlags.WriteOnly | OpenFlags.Truncate))
                _m.Write(live, 0, "version 2, longer"u8);

            using var s1 = _m.Lookup(snapdir, "s1");
            using var old = _m.Lookup(s1, "f");
            var attr = _m.GetAttr(old);
            Assert.Equal(file.Ino, attr.Ino);
            Assert.NotEqual(CephSnap.NoSnap, attr.Dev);
            Assert.NotEqual(CephSnap.SnapDir, attr.Dev);
            Assert.Equal(attr.VInode, old.VInode);
            Assert.Equal(9UL, attr.Size);
            using (var reader = _m.Open(old, OpenFlags.ReadOnly))
            {
                var buffer = new byte[64];
                int n = _m.Read(reader, 0, buffer);
                Assert.Equal("version 1", Encoding.ASCII.GetString(buffer, 0, n));
            }
            Assert.Equal(Errno.EROFS, Assert.Throws<CephException>(() => _m.Open(old, OpenFlags.WriteOnly)).Errno);

            // the snapshot inode is found again by (ino, snapid), as a FUSE nodeid tagged with the snap id would
            using (var again = _m.LookupVino(attr.VInode))
                Assert.Equal(old.Raw, again.Raw);
            using (var cached = _m.GetCachedInode(attr.VInode))
                Assert.Equal(old.Raw, cached?.Raw);
            using (var head = _m.LookupVino(VInodeNo.Head(file.Ino)))
                Assert.Equal(file.Raw, head.Raw);

            Assert.Contains("s1", _m.ListDirectory(snapdir).Select(e => e.Name));
        }
        finally
        {
            _m.RmDir(snapdir, "s1");
        }
        Assert.DoesNotContain("s1", _m.ListDirectory(snapdir).Select(e => e.Name));
    }

    [Fact]
    public void RestrictedClientCannotTakeSnapshots()
    {
        using var dir = fs.NewDir(out string name);
        using var user = CephMount.Connect(TestMounts.User());
        using var userDir = user.Walk($"{fs.DirPath}/{name}");
        using var snapdir = user.Lookup(userDir, ".snap");
        // fsuser's caps lack 's'
        var e = Assert.Throws<CephException>(() => user.MkDir(snapdir, "nope"));
        Assert.Equal(Errno.EACCES, e.Errno);
        Assert.Equal("EACCES from ceph_ll_mkdir(\"nope\"): Permission denied", e.Message);
    }
}
