using System.Security.Cryptography;
using System.Text;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>Every operation through the real system calls on a managed-cephfuse mount of the test cluster.</summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class OperationTests(CephMounts mounts)
{
    private readonly DaemonMount _ours = mounts.Ours;

    private string NewDir(string label) => _ours[mounts.NewDirectory(label)];

    [Fact]
    public void ReadsAndWritesAtOddOffsetsTruncatesAndAppends()
    {
        string dir = NewDir("rw");
        string path = Path.Combine(dir, "f");
        byte[] data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        int fd = Sys.Check(Sys.Open(path, Sys.O_CREAT | Sys.O_RDWR | Sys.O_EXCL), "open");
        try
        {
            // three writes at odd offsets, one of them larger than a FUSE request (1 MiB)
            Assert.Equal(7, Sys.PWrite(fd, data.AsSpan(0, 7), 0));
            Assert.Equal(data.Length - 7 - 4093, Sys.PWrite(fd, data.AsSpan(7, data.Length - 7 - 4093), 7));
            Assert.Equal(4093, Sys.PWrite(fd, data.AsSpan(data.Length - 4093), data.Length - 4093));
            var back = new byte[data.Length];
            int at = 0;
            while (at < back.Length)
            {
                int n = Sys.PRead(fd, back.AsSpan(at, Math.Min(999_983, back.Length - at)), at);
                Assert.True(n > 0);
                at += n;
            }
            Assert.Equal(data, back);
            Assert.Equal(0, Sys.PRead(fd, back.AsSpan(0, 10), data.Length + 10)); // past the end
            Sys.Check(Sys.Ftruncate(fd, 5000), "ftruncate");
            Assert.Equal(5000, Sys.StatOrThrow(path).Size);
            Sys.Check(Sys.Ftruncate(fd, 9000), "ftruncate up");
            Assert.Equal(9000, Sys.PRead(fd, back.AsSpan(0, 9000), 0));
            Assert.Equal(data.AsSpan(0, 5000).ToArray(), back.AsSpan(0, 5000).ToArray());
            Assert.True(back.AsSpan(5000, 4000).IndexOfAnyExcept((byte)0) < 0, "the extension reads as zeros");
        }
        finally
        {
            Sys.Close(fd);
        }
        Sys.Check(Sys.Truncate(path, 10), "truncate");
        File.AppendAllText(path, "tail");
        File.AppendAllText(path, "!");
        Assert.Equal(data.AsSpan(0, 10).ToArray().Concat("tail!"u8.ToArray()), File.ReadAllBytes(path));
        // O_TRUNC on open
        File.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(EEXIST, ErrnoOf(() => Sys.Open(path, Sys.O_CREAT | Sys.O_EXCL | Sys.O_WRONLY)));
    }

    [Fact]
    public void DirectoriesListCompletelyWithAttributes()
    {
        string dir = NewDir("ls");
        const int Count = 2500; // several READDIRPLUS replies
        var names = new HashSet<string>();
        for (int i = 0; i < Count; i++)
        {
            string name = $"entry-{i:D5}-{new string('x', i % 200)}";
            names.Add(name);
            if (i % 10 == 0)
                Directory.CreateDirectory(Path.Combine(dir, name));
            else
                File.WriteAllText(Path.Combine(dir, name), name);
        }
        var listed = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).ToList();
        Assert.Equal(Count, listed.Count);
        Assert.True(names.SetEquals(listed!));
        // ls -l: every entry's attributes (READDIRPLUS answers them with the names)
        CommandResult ls = Run.Command("/bin/ls", ["-ln", dir], TimeSpan.FromSeconds(60));
        Assert.Equal(0, ls.ExitCode);
        string[] lines = ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(Count, lines.Length);
        Assert.Equal(Count / 10, lines.Count(l => l.StartsWith('d')));
        string sample = lines.First(l => l.EndsWith("entry-00001-x", StringComparison.Ordinal));
        Assert.Contains(" 13 ", sample, StringComparison.Ordinal); // size of "entry-00001-x"

        Assert.Equal(ENOTEMPTY, ErrnoOf(() => RmDir(dir)));
        foreach (string name in names)
        {
            string path = Path.Combine(dir, name);
            if (Directory.Exists(path))
                Directory.Delete(path);
            else
                File.Delete(path);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void RenamesReplaceAndRename2FlagsAreRefused()
    {
        string dir = NewDir("mv");
        string a = Path.Combine(dir, "a"), b = Path.Combine(dir, "b"), sub = Path.Combine(dir, "sub");
        File.WriteAllText(a, "A");
        File.WriteAllText(b, "B");
        Directory.CreateDirectory(sub);
        ulong inoA = Sys.StatOrThrow(a).Ino;
        File.Move(a, Path.Combine(sub, "a2"));
        Assert.Equal(ENOENT, Sys.StatErrno(a));
        Assert.Equal(inoA, Sys.StatOrThrow(Path.Combine(sub, "a2")).Ino);
        // rename(2) replaces an existing target
        Sys.Check(Sys.Renameat2(Sys.AT_FDCWD, Path.Combine(sub, "a2"), Sys.AT_FDCWD, b, 0), "rename over");
        Assert.Equal("A", File.ReadAllText(b));
        // CephFS cannot honour NOREPLACE/EXCHANGE atomically: EINVAL, as ceph-fuse
        // (an existing target the kernel answers itself: EEXIST)
        File.WriteAllText(a, "A");
        Assert.Equal(-1, Sys.Renameat2(Sys.AT_FDCWD, a, Sys.AT_FDCWD, b, Sys.RENAME_NOREPLACE));
        Assert.Equal(EEXIST, Sys.Errno);
        Assert.Equal(-1, Sys.Renameat2(Sys.AT_FDCWD, a, Sys.AT_FDCWD, Path.Combine(dir, "c"), Sys.RENAME_NOREPLACE));
        Assert.Equal(EINVAL, Sys.Errno);
        Assert.True(File.Exists(a));
        Assert.Equal(-1, Sys.Renameat2(Sys.AT_FDCWD, a, Sys.AT_FDCWD, b, Sys.RENAME_EXCHANGE));
        Assert.Equal(EINVAL, Sys.Errno);
        // a directory moves with its contents
        Directory.Move(sub, Path.Combine(dir, "sub2"));
        Assert.True(Directory.Exists(Path.Combine(dir, "sub2")));
        Assert.False(Directory.Exists(sub));
        // a directory onto a non-empty directory
        Directory.CreateDirectory(Path.Combine(dir, "full"));
        File.WriteAllText(Path.Combine(dir, "full", "x"), "x");
        Assert.Equal(-1, Sys.Renameat2(Sys.AT_FDCWD, Path.Combine(dir, "sub2"), Sys.AT_FDCWD, Path.Combine(dir, "full"), 0));
        Assert.Equal(ENOTEMPTY, Sys.Errno);
    }

    [Fact]
    public void HardLinksSymlinksAndSpecialFiles()
    {
        string dir = NewDir("ln");
        string f = Path.Combine(dir, "f"), h = Path.Combine(dir, "h"), s = Path.Combine(dir, "s");
        File.WriteAllText(f, "data");
        Sys.Check(Sys.Link(f, h), "link");
        Stat sf = Sys.StatOrThrow(f), sh = Sys.StatOrThrow(h);
        Assert.Equal(sf.Ino, sh.Ino);
        Assert.Equal(2UL, sf.Nlink);
        File.CreateSymbolicLink(s, "f");
        Assert.Equal("f", new FileInfo(s).LinkTarget);
        Assert.Equal("data", File.ReadAllText(s));
        Sys.Check(Sys.Lstat(s, out Stat sl), "lstat");
        Assert.Equal(0xA000U, sl.Mode & 0xF000);
        File.Delete(f);
        Assert.Equal(1UL, Sys.StatOrThrow(h).Nlink);
        Assert.Equal(ENOENT, Sys.StatErrno(s)); // dangling now
        // a long symlink target
        string longTarget = string.Join('/', Enumerable.Repeat(new string('t', 200), 15));
        File.CreateSymbolicLink(Path.Combine(dir, "long"), longTarget);
        Assert.Equal(longTarget, new FileInfo(Path.Combine(dir, "long")).LinkTarget);

        string fifo = Path.Combine(dir, "fifo"), chr = Path.Combine(dir, "null"), sock = Path.Combine(dir, "sock");
        Sys.Check(Sys.Mknod(fifo, Sys.S_IFIFO | 0x1A4, 0), "mkfifo");
        Assert.Equal(Sys.S_IFIFO, Sys.StatOrThrow(fifo).Mode & 0xF000);
        ulong dev = (1UL << 8) | 3; // glibc makedev(1, 3): /dev/null
        Sys.Check(Sys.Mknod(chr, Sys.S_IFCHR | 0x1B6, dev), "mknod chr");
        Stat sc = Sys.StatOrThrow(chr);
        Assert.Equal(Sys.S_IFCHR, sc.Mode & 0xF000);
        Assert.Equal(dev, sc.Rdev);
        Sys.Check(Sys.Mknod(sock, Sys.S_IFSOCK | 0x1A4, 0), "mknod sock");
        Assert.Equal(Sys.S_IFSOCK, Sys.StatOrThrow(sock).Mode & 0xF000);
        // mounted nodev by default, as ceph-fuse: the node exists but cannot be opened as a device
        Assert.Throws<UnauthorizedAccessException>(() => File.WriteAllText(chr, "refused"));
    }

    [Fact]
    public void AttributesChangeAsAsked()
    {
        string dir = NewDir("attr");
        string f = Path.Combine(dir, "f");
        File.WriteAllText(f, "x");
        Sys.Check(Sys.Chmod(f, 0x1ED), "chmod 0755"); // with setuid below
        Assert.Equal(0x1EDU, Sys.StatOrThrow(f).Mode & 0xFFF);
        Sys.Check(Sys.Chmod(f, 0x9A4), "chmod 04644");
        Assert.Equal(0x9A4U, Sys.StatOrThrow(f).Mode & 0xFFF);
        Sys.Check(Sys.Chown(f, 1234, 5678), "chown");
        Stat st = Sys.StatOrThrow(f);
        Assert.Equal(1234U, st.Uid);
        Assert.Equal(5678U, st.Gid);
        Sys.Check(Sys.Utimens(f, (1_000_000_000, 123_456_789), (1_100_000_000, 987_654_321)), "utimensat");
        st = Sys.StatOrThrow(f);
        Assert.Equal((1_000_000_000L, 123_456_789L), (st.Atime, st.AtimeNsec));
        Assert.Equal((1_100_000_000L, 987_654_321L), (st.Mtime, st.MtimeNsec));
        const long UtimeNow = (1L << 30) - 1, UtimeOmit = (1L << 30) - 2;
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2;
        Sys.Check(Sys.Utimens(f, (0, UtimeOmit), (0, UtimeNow)), "utimensat now/omit");
        st = Sys.StatOrThrow(f);
        Assert.Equal(1_000_000_000L, st.Atime); // omitted
        Assert.True(st.Mtime >= before, $"mtime {st.Mtime} should be now ({before})");
        Assert.True(st.Ctime >= before);
        // statx birth time (STATX_BTIME, FUSE STATX)
        CommandResult birth = Run.Command("/usr/bin/stat", ["-c", "%W", f], TimeSpan.FromSeconds(10));
        Assert.True(long.Parse(birth.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture) >= before - 60);
        // st_ino is Ceph's inode number: ceph-fuse shows the same one
        Assert.Equal(Sys.StatOrThrow(f).Ino, Sys.StatOrThrow(mounts.CephFuse[Path.GetRelativePath(_ours.MountPoint, f)]).Ino);
        // a write by a non-owner... by root keeps the mode; chmod of a missing file fails
        Assert.Equal(-1, Sys.Chmod(Path.Combine(dir, "missing"), 0x1A4));
        Assert.Equal(ENOENT, Sys.Errno);
    }

    [Fact]
    public void ExtendedAttributesIncludingCephVirtualOnes()
    {
        string dir = NewDir("xattr");
        string f = Path.Combine(dir, "f");
        File.WriteAllBytes(f, new byte[12345]);
        Sys.Check(Sys.SetXattr(f, "user.one", "1"u8), "setxattr");
        Sys.Check(Sys.SetXattr(f, "user.big", new byte[60_000]), "setxattr big");
        Sys.Check(Sys.SetXattr(f, "user.empty", default), "setxattr empty");
        Assert.Equal("1", Sys.GetXattrText(f, "user.one"));
        Assert.Equal(60_000, Sys.GetXattr(f, "user.big", out _)!.Length);
        Assert.Empty(Sys.GetXattr(f, "user.empty", out _)!);
        Assert.Equal(-ERANGE, Sys.GetXattrSized(f, "user.big", 10));
        Assert.Equal(60_000, Sys.GetXattrSized(f, "user.big", 0));
        Assert.Null(Sys.GetXattr(f, "user.none", out int errno));
        Assert.Equal(ENODATA, errno);
        Assert.Equal(-1, Sys.SetXattr(f, "user.one", "2"u8, flags: 1 /* XATTR_CREATE */));
        Assert.Equal(EEXIST, Sys.Errno);
        Assert.Equal(-1, Sys.SetXattr(f, "user.none", "2"u8, flags: 2 /* XATTR_REPLACE */));
        Assert.Equal(ENODATA, Sys.Errno);
        string[] names = Sys.ListXattr(f);
        Assert.Contains("user.one", names);
        Assert.Contains("user.big", names);
        Sys.Check(Sys.RemoveXattr(f, "user.one"), "removexattr");
        Assert.DoesNotContain("user.one", Sys.ListXattr(f));
        Assert.Equal(-1, Sys.RemoveXattr(f, "user.one"));
        Assert.Equal(ENODATA, Sys.Errno);

        // CephFS's virtual attributes: recursive statistics, layouts, quotas
        Assert.Equal("12345", Sys.GetXattrText(dir, "ceph.dir.rbytes"));
        Assert.Equal("1", Sys.GetXattrText(dir, "ceph.dir.rfiles"));
        Assert.Contains("stripe_unit=4194304", Sys.GetXattrText(f, "ceph.file.layout"), StringComparison.Ordinal);
        Sys.Check(Sys.SetXattr(dir, "ceph.quota.max_bytes", "100000000"u8), "set quota");
        Assert.Equal("100000000", Sys.GetXattrText(dir, "ceph.quota.max_bytes"));
        Assert.Equal("100000000", Sys.GetXattrText(mounts.CephFuse[Path.GetRelativePath(_ours.MountPoint, dir)], "ceph.quota.max_bytes"));
    }

    [Fact]
    public void SparseFilesFallocateSeekAndCopyFileRange()
    {
        string dir = NewDir("sparse");
        string f = Path.Combine(dir, "f"), g = Path.Combine(dir, "g");
        int fd = Sys.Check(Sys.Open(f, Sys.O_CREAT | Sys.O_RDWR), "open");
        int gd = -1;
        try
        {
            byte[] block = RandomNumberGenerator.GetBytes(1 << 20);
            Assert.Equal(block.Length, Sys.PWrite(fd, block, 8 << 20)); // a hole before it
            Assert.Equal((9L << 20), Sys.StatOrThrow(f).Size);
            var back = new byte[4096];
            Assert.Equal(4096, Sys.PRead(fd, back, 4 << 20));
            Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0) < 0, "a hole reads as zeros");
            // SEEK_DATA/SEEK_HOLE (libcephfs treats the whole file as data)
            Assert.Equal(0, Sys.Lseek(fd, 0, Sys.SEEK_DATA));
            Assert.Equal(9L << 20, Sys.Lseek(fd, 0, Sys.SEEK_HOLE));
            Assert.Equal(-1, Sys.Lseek(fd, 10L << 20, Sys.SEEK_DATA));
            Assert.Equal(ENXIO, Sys.Errno);
            // fallocate: allocate past the end, punch a hole
            Sys.Check(Sys.Fallocate(fd, 0, 9L << 20, 1 << 20), "fallocate");
            Assert.Equal(10L << 20, Sys.StatOrThrow(f).Size);
            Sys.Check(Sys.Fallocate(fd, Sys.FALLOC_FL_PUNCH_HOLE | Sys.FALLOC_FL_KEEP_SIZE, (8 << 20) + 4096, 8192), "punch");
            Assert.Equal(4096, Sys.PRead(fd, back, (8 << 20) + 4096));
            Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0) < 0, "a punched hole reads as zeros");
            Assert.Equal(4096, Sys.PRead(fd, back, 8 << 20));
            Assert.Equal(block.AsSpan(0, 4096).ToArray(), back);
            Assert.Equal(-1, Sys.Fallocate(fd, Sys.FALLOC_FL_ZERO_RANGE, 0, 4096));
            Assert.Equal(EOPNOTSUPP, Sys.Errno);
            Assert.Equal(10L << 20, Sys.StatOrThrow(f).Size);
            // copy_file_range, through the daemon
            gd = Sys.Check(Sys.Open(g, Sys.O_CREAT | Sys.O_RDWR), "open g");
            long copied = 0;
            while (copied < (3L << 20))
            {
                long n = Sys.Check(Sys.CopyFileRange(fd, (7L << 20) + copied, gd, 100 + copied, (3L << 20) - copied), "copy_file_range");
                Assert.True(n > 0);
                copied += n;
            }
            var copy = new byte[3 << 20];
            Assert.Equal(copy.Length, Sys.PRead(gd, copy, 100));
            var original = new byte[3 << 20];
            Assert.Equal(original.Length, Sys.PRead(fd, original, 7L << 20));
            Assert.Equal(original, copy);
            Assert.Equal(0, Sys.CopyFileRange(fd, 20L << 20, gd, 0, 100)); // past the end: nothing
            Sys.Check(Sys.Fsync(fd), "fsync");
        }
        finally
        {
            Sys.Close(fd);
            if (gd >= 0)
                Sys.Close(gd);
        }
        // fsync of a directory (FSYNCDIR)
        int dfd = Sys.Check(Sys.Open(dir, Sys.O_RDONLY | Sys.O_DIRECTORY), "open dir");
        try
        {
            Sys.Check(Sys.Fsync(dfd), "fsync dir");
        }
        finally
        {
            Sys.Close(dfd);
        }
    }

    [Fact]
    public unsafe void CephIoctlReportsTheLayout()
    {
        string dir = NewDir("ioctl");
        string f = Path.Combine(dir, "f");
        File.WriteAllText(f, "x");
        int fd = Sys.Check(Sys.Open(f, Sys.O_RDONLY), "open");
        try
        {
            ulong* layout = stackalloc ulong[5];
            Sys.Check(Sys.Ioctl(fd, 0x80289701, layout), "CEPH_IOC_GET_LAYOUT");
            string xattr = Sys.GetXattrText(f, "ceph.file.layout")!;
            Assert.Contains($"stripe_unit={layout[0]}", xattr, StringComparison.Ordinal);
            Assert.Contains($"stripe_count={layout[1]}", xattr, StringComparison.Ordinal);
            Assert.Contains($"object_size={layout[2]}", xattr, StringComparison.Ordinal);
            string pool = Sys.GetXattrText(f, "ceph.file.layout.pool")!;
            string pools = Ceph.Command("osd", "pool", "ls", "detail");
            Assert.Contains($"pool {layout[3]} '{pool}'", pools, StringComparison.Ordinal);
            int flags = -1;
            Sys.Check(Sys.Ioctl(fd, 0x80086601, &flags), "FS_IOC_GETFLAGS");
            Assert.Equal(0, flags);
            Assert.Equal(-1, Sys.Ioctl(fd, 0x5401 /* TCGETS */, layout));
            Assert.Equal(ENOTTY, Sys.Errno);
        }
        finally
        {
            Sys.Close(fd);
        }
    }

    [Fact]
    public void StatfsReportsTheCluster()
    {
        var ours = Sys.StatVfs(_ours.MountPoint);
        var theirs = Sys.StatVfs(mounts.CephFuse.MountPoint);
        Assert.Equal(4UL << 20, ours.BlockSize);
        Assert.Equal(theirs.FragmentSize, ours.FragmentSize);
        Assert.Equal(theirs.Blocks, ours.Blocks);
        Assert.True(ours.Blocks > 0);
        Assert.Equal(255UL, ours.NameMax);
    }

    [Fact]
    public void PermissionsAreEnforcedForOtherUsersEvenOnCachedNames()
    {
        string dir = NewDir("perm");
        string secretDir = Path.Combine(dir, "private"), secret = Path.Combine(secretDir, "secret");
        Directory.CreateDirectory(secretDir);
        File.WriteAllText(secret, "s");
        Sys.Check(Sys.Chmod(secret, 0x1A4), "chmod 0644");
        Sys.Check(Sys.Chmod(dir, 0x1ED), "chmod 0755");
        Assert.Equal("s", AsNobody($"cat {secret}").StandardOutput);
        // root looks the name up (the kernel now caches it); then the directory closes to others
        Sys.Check(Sys.Chmod(secretDir, 0x1C0), "chmod 0700");
        Assert.Equal("s", File.ReadAllText(secret));
        CommandResult denied = AsNobody($"cat {secret}");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.StandardError, StringComparison.Ordinal);
        // writing into a directory others may not write; reading a file others may not read
        Sys.Check(Sys.Chmod(secretDir, 0x1ED), "chmod 0755");
        Sys.Check(Sys.Chmod(secret, 0x180), "chmod 0600");
        Assert.NotEqual(0, AsNobody($"cat {secret}").ExitCode);
        Assert.NotEqual(0, AsNobody($"touch {Path.Combine(secretDir, "new")}").ExitCode);
        Assert.False(File.Exists(Path.Combine(secretDir, "new")));
        // a directory others may write: their file is theirs
        string shared = Path.Combine(dir, "shared");
        Directory.CreateDirectory(shared);
        Sys.Check(Sys.Chmod(shared, 0x3FF), "chmod 1777");
        Assert.Equal(0, AsNobody($"echo mine > {shared}/n && stat -c '%u:%g' {shared}/n").ExitCode);
        Assert.Equal("65534:65534", Run.Shell($"stat -c '%u:%g' {shared}/n").StandardOutput.Trim());
        // access(2) (the kernel answers from the cached attributes)
        Assert.Equal(0, AsNobody($"test -r {shared}/n && test -w {shared}/n").ExitCode);
        Assert.NotEqual(0, AsNobody($"test -w {secret}").ExitCode);
        // the sticky bit: root's file in a sticky directory is not others' to remove
        File.WriteAllText(Path.Combine(shared, "roots"), "r");
        Assert.NotEqual(0, AsNobody($"rm -f {shared}/roots").ExitCode);
        Assert.True(File.Exists(Path.Combine(shared, "roots")));
    }

    [Fact]
    public void ChownByTheOwnerClearsSetIdBitsLikeLinux()
    {
        string dir = NewDir("suid");
        Sys.Check(Sys.Chmod(dir, 0x1ED), "chmod 0755");
        string exe = Path.Combine(dir, "exe"), plain = Path.Combine(dir, "plain"), sub = Path.Combine(dir, "sub");
        File.WriteAllText(exe, "x");
        File.WriteAllText(plain, "x");
        Directory.CreateDirectory(sub);
        foreach (string path in new[] { exe, plain, sub })
            Sys.Check(Sys.Chown(path, 65534, 65534), "chown");
        Sys.Check(Sys.Chmod(exe, 0xDED), "chmod 06755");
        Sys.Check(Sys.Chmod(plain, 0xDA4), "chmod 06644"); // set-group-ID without group execute
        Sys.Check(Sys.Chmod(sub, 0xDED), "chmod 06755");
        // the owner (nobody, in group nogroup) changes the group: set-user-ID goes; set-group-ID goes where
        // the group may execute; a directory keeps both (Linux)
        foreach (string path in new[] { exe, plain, sub })
            Assert.Equal(0, AsNobody($"chgrp 65534 {path}").ExitCode);
        Assert.Equal(0x1EDU, Sys.StatOrThrow(exe).Mode & 0xFFF);
        Assert.Equal(0x5A4U, Sys.StatOrThrow(plain).Mode & 0xFFF);
        Assert.Equal(0xDEDU, Sys.StatOrThrow(sub).Mode & 0xFFF);
    }

    [Fact]
    public void ErrorsAreTheOnesCallersExpect()
    {
        string dir = NewDir("errno");
        string f = Path.Combine(dir, "f");
        File.WriteAllText(f, "x");
        Assert.Equal(ENOENT, Sys.StatErrno(Path.Combine(dir, "none")));
        Assert.Equal(ENOTDIR, Sys.StatErrno(Path.Combine(f, "below")));
        Assert.Equal(EISDIR, ErrnoOf(() => Sys.Open(dir, Sys.O_WRONLY)));
        Assert.Equal(ENAMETOOLONG, Sys.StatErrno(Path.Combine(dir, new string('n', 256))));
        Assert.Equal(EEXIST, ErrnoOf(() => MkDir(f)));
        Assert.Equal(ENOTDIR, ErrnoOf(() => RmDir(f)));
        Assert.Equal(EISDIR, ErrnoOf(() => Unlink(dir)));
        File.WriteAllText(Path.Combine(dir, new string('n', 255)), "longest name");
        Assert.Equal("longest name", File.ReadAllText(Path.Combine(dir, new string('n', 255))));
    }

    [Fact]
    public void ManyThreadsOnManyFiles()
    {
        string dir = NewDir("threads");
        const int Threads = 8, Files = 40;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (int i = 0; i < Files; i++)
            {
                string path = Path.Combine(dir, $"t{t}-{i}");
                byte[] content = Encoding.UTF8.GetBytes(new string((char)('a' + (t + i) % 26), 1000 + (t * 31) + i));
                File.WriteAllBytes(path, content);
                Assert.Equal(content, File.ReadAllBytes(path));
                if (i % 3 == 0)
                    File.Move(path, path + ".moved");
            }
        });
        Assert.Equal(Threads * Files, Directory.GetFiles(dir).Length);
        Assert.Equal(Threads * ((Files + 2) / 3), Directory.GetFiles(dir, "*.moved").Length);
    }

    [Fact]
    public void MemoryMappedWritesReachTheFile()
    {
        string dir = NewDir("mmap");
        string f = Path.Combine(dir, "f");
        File.WriteAllBytes(f, new byte[65536]);
        using (var map = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(f, FileMode.Open, null, 65536))
        using (var view = map.CreateViewAccessor(0, 65536))
        {
            for (int i = 0; i < 65536; i += 4096)
                view.Write(i + 7, (byte)(i / 4096 + 1));
            view.Flush();
        }
        byte[] back = File.ReadAllBytes(f);
        for (int i = 0; i < 65536; i += 4096)
            Assert.Equal((byte)(i / 4096 + 1), back[i + 7]);
        // and another client reads what the mapping wrote
        byte[] elsewhere = File.ReadAllBytes(mounts.CephFuse[Path.GetRelativePath(_ours.MountPoint, f)]);
        Assert.Equal(back, elsewhere);
    }

    internal static CommandResult AsNobody(string script) =>
        Run.Command("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/sh", "-c", script], TimeSpan.FromSeconds(30));

    private static int ErrnoOf(Func<int> call)
    {
        int r = call();
        if (r >= 0)
        {
            Sys.Close(r);
            return 0;
        }
        return Sys.Errno;
    }

    private static int RmDir(string path) => Sys.Rmdir(path);

    private static int MkDir(string path) => Sys.Mkdir(path, 0x1ED);

    private static int Unlink(string path) => Sys.Unlink(path);
}
