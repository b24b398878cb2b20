using System.Text;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>readdirplus into caller memory, telldir/seekdir resumption, and the references readdirplus hands out.</summary>
[Trait("Category", "Cluster")]
public sealed class DirectoryTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private const int Count = 300;
    private readonly CephMount _m = fs.Mount;

    /// <summary>A directory of <see cref="Count"/> files e0000.. whose size is their number, made on the hot path.</summary>
    private CephInode Populated()
    {
        var dir = fs.NewDir(out _);
        var ll = _m.LowLevel;
        Span<byte> name = stackalloc byte[16];
        for (int i = 0; i < Count; i++)
        {
            int n = Encoding.ASCII.GetBytes($"e{i:D4}\0", name);
            Assert.Equal(0, ll.Create(dir.Raw, name[..n], 0x1A4, OpenFlags.WriteOnly | OpenFlags.Create, out var inode,
                out var fh, out _, StatxMask.None, AtFlags.None, _m.DefaultPerms));
            Assert.Equal(i, ll.Write(fh, 0, new byte[i]));
            Assert.Equal(0, ll.Close(fh));
            Assert.Equal(1, ll.Put(inode));
        }
        return dir;
    }

    [Fact]
    public void ReadDirPlusReturnsEveryEntryOnceWithAttributes()
    {
        using var dir = Populated();
        var ll = _m.LowLevel;
        Assert.Equal(0, ll.OpenDir(dir.Raw, out var d, _m.DefaultPerms));
        var seen = new Dictionary<string, CephStatx>();
        try
        {
            int r;
            while ((r = ll.ReadDirPlus(d, out Dirent entry, out CephStatx attr, StatxMask.BasicStats, AtFlags.None)) == 1)
            {
                string name = Encoding.UTF8.GetString(entry.Name);
                Assert.True(seen.TryAdd(name, attr), $"{name} twice");
                Assert.Equal(entry.Ino, attr.Ino);
                if (name is "." or "..")
                {
                    Assert.Equal(DirentType.Directory, entry.EntryType);
                    continue;
                }
                Assert.Equal(DirentType.Regular, entry.EntryType);
                Assert.Equal(UnixMode.Regular | 0x1A4u, attr.Mode);
                Assert.Equal(ulong.Parse(name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture), attr.Size);
                Assert.Equal(name.Length + 1, entry.NameWithNul.Length);
            }
            Assert.Equal(0, r);
            Assert.Equal(0, ll.ReadDirPlus(d, out _, out _, StatxMask.None, AtFlags.None)); // stays at the end
        }
        finally
        {
            Assert.Equal(0, ll.ReleaseDir(d));
        }
        Assert.Equal(Count + 2, seen.Count);
        Assert.Equal(dir.Ino, seen["."].Ino);
        Assert.Equal(fs.Dir.Ino, seen[".."].Ino);
    }

    [Fact]
    public void TellDirAndSeekDirResumeWhereTheListingStopped()
    {
        using var dir = Populated();
        var first = new List<string>();
        long resume;
        using (var d = _m.OpenDir(dir))
        {
            for (int i = 0; i < 120; i++)
            {
                var entry = _m.ReadDir(d) ?? throw new InvalidOperationException("ended early");
                first.Add(entry.Name);
                Assert.Equal(_m.TellDir(d), entry.NextOffset);
            }
            resume = _m.TellDir(d);
        }
        var rest = new List<string>();
        using (var d = _m.OpenDir(dir)) // a new stream, as a FUSE READDIR with an offset would use
        {
            _m.SeekDir(d, resume);
            while (_m.ReadDir(d) is { } entry)
                rest.Add(entry.Name);

            _m.SeekDir(d, 0); // rewinds
            Assert.Equal(first[0], _m.ReadDir(d)?.Name);
        }
        Assert.Empty(first.Intersect(rest));
        var all = first.Concat(rest).ToHashSet();
        Assert.Equal(Count + 2, all.Count);
        Assert.Contains("e0299", all);
    }

    [Fact]
    public void DirentOffsetIsTheCookieOfTheNextEntry()
    {
        using var dir = Populated();
        var ll = _m.LowLevel;
        Assert.Equal(0, ll.OpenDir(dir.Raw, out var d, _m.DefaultPerms));
        try
        {
            for (int i = 0; i < 50; i++)
                Assert.Equal(1, ll.ReadDirPlus(d, out _, out _, StatxMask.None, AtFlags.None));
            Assert.Equal(1, ll.ReadDirPlus(d, out Dirent entry, out _, StatxMask.None, AtFlags.None));
            Assert.Equal(ll.TellDir(d), entry.Offset);
            string after = ReadName(ll, d);
            ll.SeekDir(d, entry.Offset);
            Assert.Equal(after, ReadName(ll, d));
        }
        finally
        {
            ll.ReleaseDir(d);
        }
    }

    [Fact]
    public void ReadDirPlusWithInodesHandsOutOneReferenceEach()
    {
        using var dir = Populated();
        var ll = _m.LowLevel;
        var refs = new List<InodePtr>();
        Assert.Equal(0, ll.OpenDir(dir.Raw, out var d, _m.DefaultPerms));
        try
        {
            while (ll.ReadDirPlus(d, out Dirent entry, out CephStatx attr, StatxMask.Ino, AtFlags.None, out var inode) == 1)
            {
                Assert.False(inode.IsNull);
                refs.Add(inode);
            }
        }
        finally
        {
            ll.ReleaseDir(d);
        }
        Assert.Equal(Count + 2, refs.Count);
        var cache = _m.DumpCache().ToDictionary(i => i.VInode);
        Assert.Equal(0, ll.LookupInode(dir.Ino, out var self));
        int lastRefs = 0;
        foreach (var inode in refs.Skip(2)) // the files: we hold their only references
            lastRefs += ll.Put(inode);
        Assert.Equal(Count, lastRefs);
        Assert.Equal(0, ll.Put(refs[0])); // "." is the directory, still referenced by the fixture and `self`
        Assert.Equal(0, ll.Put(refs[1])); // ".."
        Assert.Equal(0, ll.Put(self));
        Assert.True(cache.Count >= Count, $"dump_cache listed {cache.Count} inodes");
    }

    [Fact]
    public void OpenDirOnAFileIsENOTDIR()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = _m.Create(dir, "f", 0x1A4, OpenFlags.WriteOnly);
        file.Dispose();
        using (inode)
        {
            var e = Assert.Throws<CephException>(() => _m.OpenDir(inode));
            Assert.Equal(Errno.ENOTDIR, e.Errno);
        }
    }

    private static string ReadName(CephLowLevel ll, DirPtr d)
    {
        Assert.Equal(1, ll.ReadDirPlus(d, out Dirent entry, out _, StatxMask.None, AtFlags.None));
        return Encoding.UTF8.GetString(entry.Name);
    }
}
