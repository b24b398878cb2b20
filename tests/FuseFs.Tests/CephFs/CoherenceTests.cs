using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// Two clients of one file system see each other's changes: managed-cephfuse against Debian's ceph-fuse, and
/// against a second managed-cephfuse. The observer caches names and attributes for 30 s, so whatever it sees
/// within a few seconds reached it by invalidation (libcephfs callbacks → FUSE notifications), not by a timeout
/// running out. Renames and attribute changes by others have no callback in Pacific's libcephfs: those are seen
/// once the default 1 s timeouts expire (tested with the default mount).
/// </summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class CoherenceTests(CephMounts mounts)
{
    /// <summary>Well under the observer's 30 s timeouts.</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Writers => new() { "ceph-fuse", "managed-cephfuse" };

    private DaemonMount Writer(string name) => name == "ceph-fuse" ? mounts.CephFuse : mounts.Ours;

    [Theory]
    [MemberData(nameof(Writers))]
    public void DataWrittenElsewhereReachesAnOpenFileAtOnce(string writerName)
    {
        DaemonMount writer = Writer(writerName), observer = mounts.OursLong;
        string dir = mounts.NewDirectory("data");
        string rel = Path.Combine(dir, "f");
        File.WriteAllText(writer[rel], "version-1");
        int fd = Sys.Check(Sys.Open(observer[rel], Sys.O_RDONLY), "open");
        try
        {
            Assert.Equal("version-1", ReadAll(fd)); // now in the observer's page cache, attributes cached for 30 s
            Assert.Equal(9, FStatSize(observer[rel]));
            File.WriteAllText(writer[rel], "version-2 is longer");
            // the same descriptor, no reopen: only NOTIFY_INVAL_INODE can drop the cached pages and size
            Assert.True(Eventually(() => ReadAll(fd) == "version-2 is longer"), "the observer's open file still shows the old data");
            Assert.True(Eventually(() => FStatSize(observer[rel]) == 19), "the observer still sees the old size");
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void UnlinkElsewhereRemovesTheCachedName(string writerName)
    {
        DaemonMount writer = Writer(writerName), observer = mounts.OursLong;
        string dir = mounts.NewDirectory("unlink");
        string rel = Path.Combine(dir, "gone");
        File.WriteAllText(writer[rel], "x");
        Assert.Equal(0, Sys.StatErrno(observer[rel])); // the name and attributes are cached for 30 s now
        File.Delete(writer[rel]);
        // NOTIFY_DELETE from libcephfs's dentry callback (the inode's last link went)
        Assert.True(Eventually(() => Sys.StatErrno(observer[rel]) == ENOENT), "the observer still finds the unlinked name");
        Assert.DoesNotContain("gone", Directory.EnumerateFileSystemEntries(observer[dir]).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void UnlinkElsewhereOfAFileJustReadIsSeenWellBeforeTheTimeout(string writerName)
    {
        // Reading invalidates the cached atime, so the next stat asks for attributes (GETATTR) of an inode that
        // is a stray now: the MDS takes a few seconds to answer that (ceph-fuse would have looked the name up
        // again and got ENOENT), reports nlink 0, and the name is then pruned (NOTIFY_PRUNE).
        DaemonMount writer = Writer(writerName), observer = mounts.OursLong;
        string dir = mounts.NewDirectory("unlink-read");
        string rel = Path.Combine(dir, "gone");
        File.WriteAllText(writer[rel], "x");
        Assert.Equal("x", File.ReadAllText(observer[rel]));
        File.Delete(writer[rel]);
        Assert.True(Eventually(() => Sys.StatErrno(observer[rel]) == ENOENT, TimeSpan.FromSeconds(15)), "the observer still finds the unlinked name");
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void TruncationElsewhereIsSeenAtOnce(string writerName)
    {
        DaemonMount writer = Writer(writerName), observer = mounts.OursLong;
        string dir = mounts.NewDirectory("trunc");
        string rel = Path.Combine(dir, "f");
        File.WriteAllBytes(writer[rel], RandomNumberGenerator.GetBytes(100_000));
        int fd = Sys.Check(Sys.Open(observer[rel], Sys.O_RDONLY), "open");
        try
        {
            var whole = new byte[200_000];
            Assert.Equal(100_000, Sys.PRead(fd, whole, 0));
            Sys.Check(Sys.Truncate(writer[rel], 1000), "truncate");
            Assert.True(Eventually(() => FStatSize(observer[rel]) == 1000), "the observer still sees the old size");
            var buffer = new byte[4096];
            Assert.Equal(1000, Sys.PRead(fd, buffer, 0));
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void NewNamesAreSeenAtOnce(string writerName)
    {
        DaemonMount writer = Writer(writerName), observer = mounts.OursLong;
        string dir = mounts.NewDirectory("create");
        string rel = Path.Combine(dir, "later");
        Assert.Equal(ENOENT, Sys.StatErrno(observer[rel])); // an absent name is never cached
        File.WriteAllText(writer[rel], "here");
        Assert.Equal("here", File.ReadAllText(observer[rel]));
        Directory.CreateDirectory(writer[Path.Combine(dir, "subdir")]);
        Assert.Contains("subdir", Directory.EnumerateDirectories(observer[dir]).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void RenamesAndAttributeChangesElsewhereAreSeenWithinTheTimeout(string writerName)
    {
        DaemonMount writer = Writer(writerName), observer = mounts.Ours; // default: 1 s
        string dir = mounts.NewDirectory("rename");
        string a = Path.Combine(dir, "a"), b = Path.Combine(dir, "b");
        File.WriteAllText(writer[a], "moving");
        Assert.Equal(0, Sys.StatErrno(observer[a]));
        uint mode = Sys.StatOrThrow(observer[a]).Mode & 0xFFF;
        var clock = Stopwatch.StartNew();
        File.Move(writer[a], writer[b]);
        Sys.Check(Sys.Chmod(writer[b], 0x180), "chmod 0600");
        Assert.Equal("moving", File.ReadAllText(observer[b])); // a new name is looked up at once
        Assert.True(Eventually(() => Sys.StatErrno(observer[a]) == ENOENT, TimeSpan.FromSeconds(3)), "the old name outlived the entry timeout");
        Assert.True(Eventually(() => (Sys.StatOrThrow(observer[b]).Mode & 0xFFF) == 0x180, TimeSpan.FromSeconds(3)), "the mode outlived the attribute timeout");
        Assert.NotEqual(0x180U, mode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4));
    }

    [Theory]
    [InlineData("managed-cephfuse", "ceph-fuse")]
    [InlineData("ceph-fuse", "managed-cephfuse")]
    [InlineData("managed-cephfuse", "managed-cephfuse-30s")]
    public void WhatOneClientClosedTheOtherReads(string writerName, string readerName)
    {
        // close-to-open: no fsync; the reader's open makes the MDS recall the writer's buffered data
        DaemonMount writer = writerName == "ceph-fuse" ? mounts.CephFuse : mounts.Ours;
        DaemonMount reader = readerName switch
        {
            "ceph-fuse" => mounts.CephFuse,
            "managed-cephfuse" => mounts.Ours,
            _ => mounts.OursLong,
        };
        string dir = mounts.NewDirectory("cto");
        for (int round = 0; round < 5; round++)
        {
            string rel = Path.Combine(dir, $"f{round}");
            byte[] content = RandomNumberGenerator.GetBytes(1000 + (round * 300_000));
            File.WriteAllBytes(writer[rel], content);
            Assert.Equal(content, File.ReadAllBytes(reader[rel]));
            // and an overwrite of the same file, read again at once
            byte[] second = RandomNumberGenerator.GetBytes(content.Length / 2 + 1);
            File.WriteAllBytes(writer[rel], second);
            Assert.Equal(second, File.ReadAllBytes(reader[rel]));
        }
    }

    [Fact]
    public void XattrsAndDirectoriesMadeHereAreSeenThere()
    {
        DaemonMount ours = mounts.Ours, theirs = mounts.CephFuse;
        string dir = mounts.NewDirectory("xdir");
        Directory.CreateDirectory(ours[Path.Combine(dir, "a", "b", "c")]);
        Sys.Check(Sys.SetXattr(ours[Path.Combine(dir, "a")], "user.tag", Encoding.UTF8.GetBytes("ours")), "setxattr");
        File.WriteAllText(ours[Path.Combine(dir, "a", "b", "c", "leaf")], "leaf");
        Assert.Equal("ours", Sys.GetXattrText(theirs[Path.Combine(dir, "a")], "user.tag"));
        Assert.Equal("leaf", File.ReadAllText(theirs[Path.Combine(dir, "a", "b", "c", "leaf")]));
        Sys.Check(Sys.SetXattr(theirs[Path.Combine(dir, "a")], "user.tag", Encoding.UTF8.GetBytes("theirs")), "setxattr there");
        Assert.True(Eventually(() => Sys.GetXattrText(ours[Path.Combine(dir, "a")], "user.tag") == "theirs"));
    }

    private static bool Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan limit = within ?? Soon;
        while (true)
        {
            if (condition())
                return true;
            if (clock.Elapsed > limit)
                return false;
            Thread.Sleep(20);
        }
    }

    private static string ReadAll(int fd)
    {
        var buffer = new byte[1 << 20];
        int n = Sys.PRead(fd, buffer, 0);
        return n < 0 ? $"<errno {Sys.Errno}>" : Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static long FStatSize(string path) => Sys.Stat(path, out Stat st) == 0 ? st.Size : -1;
}
