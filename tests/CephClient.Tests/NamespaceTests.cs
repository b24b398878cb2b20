using System.Text;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>lookup, create, mkdir, mknod, symlink, readlink, link, unlink, rmdir, rename — and their errors.</summary>
[Trait("Category", "Cluster")]
public sealed class NamespaceTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    [Fact]
    public void CreatedFileIsFoundWithItsModeAndOwner()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = _m.Create(dir, "f", 0x1A0 /* 0640 */, OpenFlags.ReadWrite | OpenFlags.Exclusive);
        using (inode)
        using (file)
        {
            using var found = _m.Lookup(dir, "f");
            Assert.Equal(inode.Ino, found.Ino);
            Assert.Equal(inode.Raw, found.Raw); // one Inode object per inode in the client
            var attr = _m.GetAttr(found);
            Assert.Equal(UnixMode.Regular | 0x1A0u, attr.Mode);
            Assert.Equal(1u, attr.NLink);
            Assert.Equal(0u, attr.Uid);
            Assert.Equal(0UL, attr.Size);
            Assert.True(attr.Mask.HasFlag(StatxMask.AllStats));
        }
    }

    [Fact]
    public void CreateWithoutExclusiveOpensTheExistingFile()
    {
        using var dir = fs.NewDir(out _);
        var (first, f1) = _m.Create(dir, "f", 0x1A4, OpenFlags.ReadWrite);
        using (first)
        using (f1)
        {
            _m.Write(f1, 0, "hello"u8);
            var (second, f2) = _m.Create(dir, "f", 0x1A4, OpenFlags.ReadWrite);
            using (second)
            using (f2)
                Assert.Equal(first.Ino, second.Ino);
            var e = Assert.Throws<CephException>(() => _m.Create(dir, "f", 0x1A4, OpenFlags.ReadWrite | OpenFlags.Exclusive));
            Assert.Equal(Errno.EEXIST, e.Errno);
            Assert.Equal("EEXIST from ceph_ll_create(\"f\"): File exists", e.Message);
        }
    }

    [Fact]
    public void MkDirMakesADirectoryAndRefusesADuplicate()
    {
        using var dir = fs.NewDir(out _);
        using (var sub = _m.MkDir(dir, "sub", 0x1C0 /* 0700 */))
        {
            var attr = _m.GetAttr(sub);
            Assert.Equal(UnixMode.Directory | 0x1C0u, attr.Mode);
            Assert.Equal(DirentType.Directory, _m.ListDirectory(dir).Single().Type);
        }
        var e = Assert.Throws<CephException>(() => _m.MkDir(dir, "sub"));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("EEXIST from ceph_ll_mkdir(\"sub\"): File exists", e.Message);
    }

    [Fact]
    public void MkNodMakesFifosSocketsDevicesAndFiles()
    {
        using var dir = fs.NewDir(out _);
        ulong rdev = (8UL << 8) | 1; // makedev(8, 1)
        using var fifo = _m.MkNod(dir, "fifo", UnixMode.Fifo | 0x1A4);
        using var sock = _m.MkNod(dir, "sock", UnixMode.Socket | 0x1A4);
        using var chr = _m.MkNod(dir, "chr", UnixMode.CharDevice | 0x1A4, rdev);
        using var reg = _m.MkNod(dir, "reg", UnixMode.Regular | 0x1A4);
        Assert.Equal(UnixMode.Fifo, _m.GetAttr(fifo).FileType);
        Assert.Equal(UnixMode.Socket, _m.GetAttr(sock).FileType);
        var chrAttr = _m.GetAttr(chr);
        Assert.Equal(UnixMode.CharDevice, chrAttr.FileType);
        Assert.Equal(rdev, chrAttr.RDev);
        Assert.Equal(UnixMode.Regular, _m.GetAttr(reg).FileType);
        var types = _m.ListDirectory(dir).ToDictionary(e => e.Name, e => e.Type);
        Assert.Equal(DirentType.Fifo, types["fifo"]);
        Assert.Equal(DirentType.Socket, types["sock"]);
        Assert.Equal(DirentType.CharDevice, types["chr"]);
        Assert.Equal(DirentType.Regular, types["reg"]);
    }

    [Fact]
    public void SymlinkReadsBackAndWalkFollowsItOrNot()
    {
        using var dir = fs.NewDir(out string dirName);
        var (target, file) = _m.Create(dir, "target", 0x1A4, OpenFlags.WriteOnly);
        file.Dispose();
        using (target)
        {
            using var link = _m.Symlink(dir, "link", "target");
            var attr = _m.GetAttr(link);
            Assert.Equal(UnixMode.Symlink, attr.FileType);
            Assert.Equal((ulong)"target".Length, attr.Size);
            Assert.Equal("target", _m.ReadLink(link));

            string path = $"{fs.DirPath}/{dirName}/link";
            using (var followed = _m.Walk(path))
                Assert.Equal(target.Ino, followed.Ino);
            using (var notFollowed = _m.Walk(path, followFinalSymlink: false))
                Assert.Equal(link.Ino, notFollowed.Ino);

            // a long, non-ASCII target
            string longTarget = string.Concat(Enumerable.Repeat("ünïcode/", 200));
            using var longLink = _m.Symlink(dir, "long", longTarget);
            Assert.Equal(longTarget, _m.ReadLink(longLink));

            // the hot path cuts a target to the caller's buffer
            Span<byte> small = stackalloc byte[3];
            Assert.Equal(3, _m.LowLevel.ReadLink(link.Raw, small, _m.DefaultPerms));
            Assert.Equal("tar"u8.ToArray(), small.ToArray());
        }
    }

    [Fact]
    public void HardLinkSharesTheInodeAndTakesNoReference()
    {
        using var dir = fs.NewDir(out _);
        var ll = _m.LowLevel;
        Assert.Equal(-Errno.ENOENT, ll.Create(dir.Raw, "a"u8, 0x1A4, OpenFlags.WriteOnly, out _, out _, out _,
            StatxMask.None, AtFlags.None, _m.DefaultPerms)); // the raw call creates only with O_CREAT
        Assert.Equal(0, ll.Create(dir.Raw, "a"u8, 0x1A4, OpenFlags.WriteOnly | OpenFlags.Create, out var inode, out var fh, out _,
            StatxMask.None, AtFlags.None, _m.DefaultPerms));
        Assert.Equal(0, ll.Close(fh));
        Assert.Equal(0, ll.Link(inode, dir.Raw, "b\0"u8, _m.DefaultPerms));
        Assert.Equal(0, ll.GetAttr(inode, out var attr, StatxMask.NLink, AtFlags.None, _m.DefaultPerms));
        Assert.Equal(2u, attr.NLink);
        // create's reference is the only one: giving it back reports "last"
        Assert.Equal(1, ll.Put(inode));

        using var a = _m.Lookup(dir, "a");
        using var b = _m.Lookup(dir, "b");
        Assert.Equal(a.Ino, b.Ino);
        _m.Unlink(dir, "a");
        Assert.Equal(1u, _m.GetAttr(b, StatxMask.NLink).NLink);
        var e = Assert.Throws<CephException>(() => _m.Link(b, dir, "b"));
        Assert.Equal(Errno.EEXIST, e.Errno);
    }

    [Fact]
    public void RemovalErrorsAreExact()
    {
        using var dir = fs.NewDir(out _);
        using (_m.MkDir(dir, "full"))
        using (var full = _m.Lookup(dir, "full"))
            _m.Create(full, "x", 0x1A4, OpenFlags.WriteOnly).File.Dispose();
        using (_m.Lookup(_m.Lookup(dir, "full"), "x")) { }
        var (fileInode, f) = _m.Create(dir, "file", 0x1A4, OpenFlags.WriteOnly);
        fileInode.Dispose();
        f.Dispose();

        Assert.Equal("ENOENT from ceph_ll_unlink(\"missing\"): No such file or directory",
            Assert.Throws<CephException>(() => _m.Unlink(dir, "missing")).Message);
        Assert.Equal("ENOENT from ceph_ll_lookup(\"missing\"): No such file or directory",
            Assert.Throws<CephException>(() => _m.Lookup(dir, "missing")).Message);
        Assert.Equal("ENOTEMPTY from ceph_ll_rmdir(\"full\"): Directory not empty",
            Assert.Throws<CephException>(() => _m.RmDir(dir, "full")).Message);
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<CephException>(() => _m.RmDir(dir, "file")).Errno);
        Assert.Equal(Errno.EISDIR, Assert.Throws<CephException>(() => _m.Unlink(dir, "full")).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<CephException>(() => _m.RmDir(dir, "missing")).Errno);

        using (var full = _m.Lookup(dir, "full"))
            _m.Unlink(full, "x");
        _m.RmDir(dir, "full");
        _m.Unlink(dir, "file");
        Assert.Empty(_m.ListDirectory(dir));
    }

    [Fact]
    public void RenameMovesReplacesAndReportsMissingSources()
    {
        using var dir = fs.NewDir(out _);
        using var other = _m.MkDir(dir, "other");
        var (x, fx) = _m.Create(dir, "x", 0x1A4, OpenFlags.WriteOnly);
        var (y, fy) = _m.Create(dir, "y", 0x1A4, OpenFlags.WriteOnly);
        fx.Dispose();
        fy.Dispose();
        using (x)
        using (y)
        {
            _m.Rename(dir, "x", dir, "x2");
            Assert.Equal(x.Ino, _m.Lookup(dir, "x2").Ino);
            _m.Rename(dir, "x2", other, "x3");
            using (var moved = _m.Lookup(other, "x3"))
                Assert.Equal(x.Ino, moved.Ino);
            _m.Rename(other, "x3", dir, "y"); // replaces y
            using (var replaced = _m.Lookup(dir, "y"))
                Assert.Equal(x.Ino, replaced.Ino);
            Assert.Equal(0u, _m.GetAttr(y, StatxMask.NLink).NLink);
        }
        var e = Assert.Throws<CephException>(() => _m.Rename(dir, "nope", dir, "n2"));
        Assert.Equal("ENOENT from ceph_ll_rename(\"nope\" -> \"n2\"): No such file or directory", e.Message);
        Assert.Equal(["other", "y"], _m.ListDirectory(dir).Select(d => d.Name).Order());
    }

    [Fact]
    public void HotPathNamesWorkWithAndWithoutTerminatorAndAreChecked()
    {
        using var dir = fs.NewDir(out _);
        var ll = _m.LowLevel;
        var perms = _m.DefaultPerms;
        Assert.Equal(0, ll.MkDir(dir.Raw, "plain"u8, 0x1ED, out var a, out var aAttr, StatxMask.Ino, AtFlags.None, perms));
        Assert.Equal(0, ll.Lookup(dir.Raw, "plain\0"u8, out var b, out var bAttr, StatxMask.Ino, AtFlags.None, perms));
        Assert.Equal(a, b);
        Assert.Equal(aAttr.Ino, bAttr.Ino);
        Assert.Equal(0, ll.Forget(a, 2) < 0 ? -1 : 0);

        Assert.Equal(-Errno.EINVAL, ll.Lookup(dir.Raw, "pl\0ain"u8, out var none, out _, StatxMask.Ino, AtFlags.None, perms));
        Assert.True(none.IsNull);
        Assert.Equal(-Errno.ENOENT, ll.Lookup(dir.Raw, "absent"u8, out none, out _, StatxMask.Ino, AtFlags.None, perms));
        Assert.True(none.IsNull);

        byte[] longest = Enumerable.Repeat((byte)'n', 255).ToArray(); // NAME_MAX
        Assert.Equal(0, ll.MkNod(dir.Raw, longest, UnixMode.Regular | 0x1A4, 0, out var c, out _, StatxMask.None, AtFlags.None, perms));
        Assert.Equal(1, ll.Put(c));
        byte[] tooLong = Enumerable.Repeat((byte)'n', 256).ToArray();
        Assert.Equal(-Errno.ENAMETOOLONG, ll.MkNod(dir.Raw, tooLong, UnixMode.Regular | 0x1A4, 0, out _, out _, StatxMask.None, AtFlags.None, perms));
        // NUL-terminated names go to libcephfs unchecked: the MDS enforces the limit itself
        byte[] tooLongZ = [.. tooLong, 0];
        Assert.Equal(-Errno.ENAMETOOLONG, ll.MkNod(dir.Raw, tooLongZ, UnixMode.Regular | 0x1A4, 0, out _, out _, StatxMask.None, AtFlags.None, perms));

        string unicode = "Grüße-日本-🙂";
        using (_m.MkDir(dir, unicode)) { }
        var names = _m.ListDirectory(dir).Select(e => e.Name).ToHashSet();
        Assert.Contains(unicode, names);
        Assert.Contains(Encoding.ASCII.GetString(longest), names);
    }

    [Fact]
    public void OpenHonoursTruncateAndAppend()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = _m.Create(dir, "f", 0x1A4, OpenFlags.WriteOnly);
        using (inode)
        {
            using (file)
                _m.Write(file, 0, "0123456789"u8);
            using (var append = _m.Open(inode, OpenFlags.WriteOnly | OpenFlags.Append))
            {
                // an explicit offset wins over O_APPEND; offset -1 means "the file position", which O_APPEND
                // puts at the end
                _m.Write(append, 0, "xy"u8);
                Assert.Equal(10UL, _m.GetAttr(inode, StatxMask.Size).Size);
                _m.Write(append, -1, "AB"u8);
            }
            Assert.Equal(12UL, _m.GetAttr(inode, StatxMask.Size).Size);
            using (var reader = _m.Open(inode, OpenFlags.ReadOnly))
            {
                var buffer = new byte[32];
                Assert.Equal(12, _m.Read(reader, 0, buffer));
                Assert.Equal("xy23456789AB", Encoding.ASCII.GetString(buffer, 0, 12));
                Assert.Equal(Errno.EBADF, Assert.Throws<CephException>(() => _m.Write(reader, 0, "x"u8)).Errno);
            }
            using (var trunc = _m.Open(inode, OpenFlags.WriteOnly | OpenFlags.Truncate))
                Assert.Equal(0UL, _m.GetAttr(inode, StatxMask.Size).Size);
        }
    }
}
