using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;
using static ManagedCephFuse.FuseFs.Tests.Support.Posix;

namespace ManagedCephFuse.FuseFs.Tests.Kernel;

/// <summary>Every file operation through real system calls on the memory file system mounted through the kernel.</summary>
[Trait("Category", "Kernel")]
public sealed class FileOperationTests : IDisposable
{
    private readonly MemoryMount _mount = new();

    public void Dispose()
    {
        Assert.Empty(_mount.Log.Problems);
        _mount.Dispose();
    }

    private string P(string relative) => _mount[relative];

    private static int OpenOk(string path, int flags, uint mode = 0x1A4) => (int)Check(Open(path, flags | O_CLOEXEC, mode), $"open {path}");

    [Fact]
    public void OpenFlags()
    {
        int fd = OpenOk(P("f"), O_CREAT | O_EXCL | O_WRONLY);
        Close(fd);
        Assert.Equal(-1, Open(P("f"), O_CREAT | O_EXCL | O_WRONLY));
        Assert.Equal(EEXIST, Errno);
        Assert.Equal(-1, Open(P("missing"), O_RDONLY));
        Assert.Equal(ENOENT, Errno);
        Assert.Equal(-1, Open(P("f"), O_RDONLY | O_DIRECTORY));
        Assert.Equal(ENOTDIR, Errno);
        Check(Mkdir(P("d"), 0x1ED), "mkdir");
        Assert.Equal(-1, Open(P("d"), O_WRONLY));
        Assert.Equal(EISDIR, Errno);
        Check(Symlink("f", P("s")), "symlink");
        Assert.Equal(-1, Open(P("s"), O_RDONLY | O_NOFOLLOW));
        Assert.Equal(ELOOP, Errno);
        fd = OpenOk(P("f"), O_RDONLY);
        Assert.Equal(-1, Write(fd, "x"u8));
        Assert.Equal(EBADF, Errno);
        Close(fd);
        fd = OpenOk(P("s"), O_RDWR); // through the symlink
        Assert.Equal(1, Write(fd, "x"u8));
        Close(fd);
        Assert.Equal(1UL, Stat(P("f")).Size);
    }

    [Fact]
    public void PreadAndPwriteAtOddOffsetsMatchAModel()
    {
        var random = new Random(7);
        var model = new byte[3 << 20];
        long size = 0;
        int fd = OpenOk(P("odd"), O_CREAT | O_RDWR);
        for (int i = 0; i < 400; i++)
        {
            int offset = random.Next(0, model.Length - (1 << 20));
            int length = random.Next(0, 5) == 0 ? random.Next((1 << 20) - 100, (1 << 20) + 5000) : random.Next(1, 10_000);
            length = Math.Min(length, model.Length - offset);
            var data = new byte[length];
            random.NextBytes(data);
            PWriteAll(fd, data, offset);
            data.CopyTo(model, offset);
            size = Math.Max(size, offset + length);
            int readOffset = random.Next(0, (int)size);
            int readLength = Math.Min(random.Next(1, 300_000), model.Length - readOffset);
            var read = new byte[readLength];
            int n = PReadAll(fd, read, readOffset);
            Assert.Equal((int)Math.Min(readLength, size - readOffset), n);
            Assert.True(read.AsSpan(0, n).SequenceEqual(model.AsSpan(readOffset, n)), $"read {readOffset}+{n} after write {offset}+{length}");
        }
        Close(fd);
        Assert.Equal((ulong)size, Stat(P("odd")).Size);
        byte[] all = File.ReadAllBytes(P("odd"));
        Assert.True(all.AsSpan().SequenceEqual(model.AsSpan(0, (int)size)));
    }

    [Fact]
    public void AppendAndTruncate()
    {
        int a = OpenOk(P("log"), O_CREAT | O_WRONLY | O_APPEND);
        int b = OpenOk(P("log"), O_WRONLY | O_APPEND);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(3, Write(i % 2 == 0 ? a : b, "abc"u8));
        }
        Assert.Equal(3, PWrite(a, "xyz"u8, 0)); // pwrite on O_APPEND appends on Linux
        Close(a);
        Close(b);
        Assert.Equal(303UL, Stat(P("log")).Size);
        Assert.EndsWith("abcxyz", File.ReadAllText(P("log")), StringComparison.Ordinal);

        var before = Stat(P("log"));
        Thread.Sleep(20);
        int t = OpenOk(P("log"), O_WRONLY | O_TRUNC);
        Close(t);
        var after = Stat(P("log"));
        Assert.Equal(0UL, after.Size);
        Assert.True(after.Mtime.Sec * 1_000_000_000L + after.Mtime.Nsec > before.Mtime.Sec * 1_000_000_000L + before.Mtime.Nsec);
    }

    [Fact]
    public void FtruncateGrowsWithZerosAndShrinks()
    {
        int fd = OpenOk(P("t"), O_CREAT | O_RDWR);
        PWriteAll(fd, Enumerable.Repeat((byte)0xAB, 10_000).ToArray(), 0);
        Check(Ftruncate(fd, 5000), "ftruncate");
        Assert.Equal(5000UL, Stat(P("t")).Size);
        Check(Ftruncate(fd, 20_000), "ftruncate");
        var data = new byte[20_000];
        Assert.Equal(20_000, PReadAll(fd, data, 0));
        Assert.All(data[..5000], b => Assert.Equal(0xAB, b));
        Assert.All(data[5000..], b => Assert.Equal(0, b));
        Check(Truncate(P("t"), 0), "truncate");
        Assert.Equal(0, PRead(fd, data, 0));
        Close(fd);
    }

    [Fact]
    public void FallocateAllocatesZeroesAndPunchesHoles()
    {
        int fd = OpenOk(P("fa"), O_CREAT | O_RDWR);
        Check(Fallocate(fd, 0, 0, 1 << 20), "fallocate");
        var st = Stat(P("fa"));
        Assert.Equal(1UL << 20, st.Size);
        Assert.Equal((1UL << 20) / 512, st.Blocks);
        Check(Fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20), "fallocate keep size");
        Assert.Equal(1UL << 20, Stat(P("fa")).Size);
        Assert.Equal((2UL << 20) / 512, Stat(P("fa")).Blocks);

        PWriteAll(fd, Enumerable.Repeat((byte)7, 1 << 20).ToArray(), 0);
        Check(Fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 65536), "punch hole");
        Check(Fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 200_001, 10), "punch hole, unaligned");
        var data = new byte[1 << 20];
        PReadAll(fd, data, 0);
        for (int i = 0; i < data.Length; i++)
        {
            bool hole = (i >= 4096 && i < 4096 + 65536) || (i >= 200_001 && i < 200_011);
            if (data[i] != (hole ? 0 : 7))
                Assert.Fail($"byte {i} is {data[i]}");
        }
        Assert.Equal((2UL << 20) / 512 - 65536 / 512, Stat(P("fa")).Blocks);
        Check(Fallocate(fd, FALLOC_FL_ZERO_RANGE, 1000, 3000), "zero range");
        PReadAll(fd, data.AsSpan(0, 5000), 0);
        Assert.All(data[1000..4000], b => Assert.Equal(0, b));
        Assert.Equal(7, data[999]);
        Assert.Equal(-1, Fallocate(fd, 8 /* COLLAPSE_RANGE */, 0, 4096));
        Assert.Equal(EOPNOTSUPP, Errno);
        Close(fd);
    }

    [Fact]
    public void SeekDataAndSeekHole()
    {
        int fd = OpenOk(P("sparse"), O_CREAT | O_RDWR);
        PWriteAll(fd, new byte[4096].Select(_ => (byte)1).ToArray(), 0);
        PWriteAll(fd, new byte[4096].Select(_ => (byte)2).ToArray(), 1 << 20);
        Assert.Equal(0, Lseek(fd, 0, SEEK_DATA));
        Assert.Equal(4096, Lseek(fd, 0, SEEK_HOLE));
        Assert.Equal(1 << 20, Lseek(fd, 4096, SEEK_DATA));
        Assert.Equal((1 << 20) + 4096, Lseek(fd, 1 << 20, SEEK_HOLE));
        Assert.Equal(-1, Lseek(fd, (1 << 20) + 4096, SEEK_DATA));
        Assert.Equal(ENXIO, Errno);
        Assert.Equal(8UL * 2, Stat(P("sparse")).Blocks);
        Close(fd);
    }

    [Fact]
    public void CopyFileRangeCopiesAndRefusesOverlap()
    {
        var random = new Random(3);
        var source = new byte[3 * 1024 * 1024 + 123];
        random.NextBytes(source);
        File.WriteAllBytes(P("src"), source);
        int input = OpenOk(P("src"), O_RDONLY), output = OpenOk(P("dst"), O_CREAT | O_RDWR);
        long copied = 0;
        while (copied < source.Length - 77)
        {
            long n = Check(CopyFileRange(input, 77 + copied, output, 5 + copied, source.Length), "copy_file_range");
            Assert.True(n > 0);
            copied += n;
        }
        Assert.Equal(source.Length - 77, copied);
        Assert.Equal(0, CopyFileRange(input, source.Length, output, 0, 100)); // at end of file
        byte[] result = File.ReadAllBytes(P("dst"));
        Assert.Equal(5 + source.Length - 77, result.Length);
        Assert.True(result.AsSpan(5).SequenceEqual(source.AsSpan(77)));
        Assert.Equal(-1, CopyFileRange(output, 0, output, 100, 1000));
        Assert.Equal(EINVAL, Errno);
        Close(input);
        Close(output);
    }

    [Fact]
    public void Renameat2NoReplaceAndExchange()
    {
        File.WriteAllText(P("a"), "A");
        File.WriteAllText(P("b"), "B");
        Check(Mkdir(P("dir"), 0x1ED), "mkdir");
        File.WriteAllText(P("dir/inner"), "I");
        Assert.Equal(-1, Renameat2(AT_FDCWD, P("a"), AT_FDCWD, P("b"), RENAME_NOREPLACE));
        Assert.Equal(EEXIST, Errno);
        Check(Renameat2(AT_FDCWD, P("a"), AT_FDCWD, P("c"), RENAME_NOREPLACE), "rename noreplace");
        Check(Renameat2(AT_FDCWD, P("c"), AT_FDCWD, P("b"), RENAME_EXCHANGE), "exchange");
        Assert.Equal("B", File.ReadAllText(P("c")));
        Assert.Equal("A", File.ReadAllText(P("b")));
        Check(Renameat2(AT_FDCWD, P("b"), AT_FDCWD, P("dir"), RENAME_EXCHANGE), "exchange file and directory");
        Assert.Equal("A", File.ReadAllText(P("dir")));
        Assert.Equal("I", File.ReadAllText(P("b/inner")));
        Assert.Equal(-1, Renameat2(AT_FDCWD, P("c"), AT_FDCWD, P("nothing"), RENAME_EXCHANGE));
        Assert.Equal(ENOENT, Errno);
        Check(Mkdir(P("e"), 0x1ED), "mkdir");
        Assert.Equal(-1, Rename(P("e"), P("b"))); // b is a non-empty directory
        Assert.Equal(ENOTEMPTY, Errno);
        Assert.Equal(-1, Rename(P("b"), P("b/inner/x")));
        Assert.True(Errno is ENOTDIR or EINVAL);
        Check(Mkdir(P("b/sub"), 0x1ED), "mkdir");
        Assert.Equal(-1, Rename(P("b"), P("b/sub/x")));
        Assert.Equal(EINVAL, Errno);
        Check(Rename(P("c"), P("dir")), "rename over a file");
        Assert.Equal("B", File.ReadAllText(P("dir")));
        Assert.False(File.Exists(P("c")));
    }

    [Fact]
    public void HardLinksSymlinksAndReadlink()
    {
        File.WriteAllText(P("orig"), "data");
        Check(Link(P("orig"), P("hard")), "link");
        Assert.Equal(2U, Stat(P("orig")).Nlink);
        Assert.Equal(Stat(P("orig")).Ino, Stat(P("hard")).Ino);
        File.AppendAllText(P("hard"), "+more");
        Assert.Equal("data+more", File.ReadAllText(P("orig")));
        Check(Unlink(P("orig")), "unlink");
        Assert.Equal(1U, Stat(P("hard")).Nlink);
        Check(Mkdir(P("d"), 0x1ED), "mkdir");
        Assert.Equal(-1, Link(P("d"), P("dlink")));
        Assert.Equal(EPERM, Errno);
        Assert.Equal(-1, Link(P("hard"), P("d")));
        Assert.Equal(EEXIST, Errno);

        Check(Symlink("hard", P("sym")), "symlink");
        Check(Symlink("/nowhere/at/all", P("dangling")), "symlink");
        string longTarget = new('x', 4000);
        Check(Symlink(longTarget, P("long")), "symlink");
        Assert.Equal("hard", ReadLink(P("sym")));
        Assert.Equal("/nowhere/at/all", ReadLink(P("dangling")));
        Assert.Equal(longTarget, ReadLink(P("long")));
        Assert.Null(ReadLink(P("hard")));
        Assert.Equal(EINVAL, Errno);
        Assert.Equal("data+more", File.ReadAllText(P("sym")));
        Assert.Equal(0xA1FF, (int)Stat(P("sym")).Mode);
        Assert.Equal(-1, Open(P("dangling"), O_RDONLY));
        Assert.Equal(ENOENT, Errno);
    }

    [Fact]
    public void MknodFifoCarriesData()
    {
        Check(Mknod(P("fifo"), 0x1000 | 0x1A4, 0), "mknod fifo");
        Assert.Equal(0x1000, Stat(P("fifo")).Mode & 0xF000);
        string received = "";
        var reader = new Thread(() =>
        {
            int fd = OpenOk(P("fifo"), O_RDONLY);
            var buffer = new byte[64];
            int n = Read(fd, buffer);
            Close(fd);
            received = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        });
        reader.Start();
        int writer = OpenOk(P("fifo"), O_WRONLY);
        Assert.Equal(5, Write(writer, "hello"u8));
        Close(writer);
        Assert.True(reader.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal("hello", received);
        Check(Mknod(P("sock"), 0xC000 | 0x1A4, 0), "mknod socket");
        Assert.Equal(0xC000, Stat(P("sock")).Mode & 0xF000);
        Check(Mknod(P("chr"), 0x2000 | 0x1A4, (1UL << 8) | 3), "mknod char device");
        Posix.Statx dev = Stat(P("chr"));
        Assert.Equal((1U, 3U), (dev.RdevMajor, dev.RdevMinor));
    }

    [Fact]
    public void ExtendedAttributes()
    {
        File.WriteAllText(P("x"), "");
        string path = P("x");
        Check(SetXattr(path, "user.one", "value-one"u8), "setxattr");
        Check(SetXattr(path, "user.two", new byte[10_000]), "setxattr big");
        Check(SetXattr(path, "user.empty", []), "setxattr empty");
        Assert.Equal(9, GetXattr(path, "user.one", []));
        var small = new byte[4];
        Assert.Equal(-1, GetXattr(path, "user.one", small));
        Assert.Equal(ERANGE, Errno);
        var value = new byte[64];
        Assert.Equal(9, GetXattr(path, "user.one", value));
        Assert.Equal("value-one", System.Text.Encoding.ASCII.GetString(value, 0, 9));
        Assert.Equal(0, GetXattr(path, "user.empty", value));
        Assert.Equal(-1, GetXattr(path, "user.missing", value));
        Assert.Equal(ENODATA, Errno);
        Assert.Equal(-1, SetXattr(path, "user.one", "x"u8, XATTR_CREATE));
        Assert.Equal(EEXIST, Errno);
        Assert.Equal(-1, SetXattr(path, "user.three", "x"u8, XATTR_REPLACE));
        Assert.Equal(ENODATA, Errno);
        long listSize = ListXattr(path, []);
        var list = new byte[listSize];
        Assert.Equal(listSize, ListXattr(path, list));
        string[] names = System.Text.Encoding.ASCII.GetString(list).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["user.empty", "user.one", "user.two"], names.Order().ToArray());
        Assert.Equal(-1, ListXattr(path, new byte[5]));
        Assert.Equal(ERANGE, Errno);
        Check(Removexattr(path, "user.one"), "removexattr");
        Assert.Equal(-1, Removexattr(path, "user.one"));
        Assert.Equal(ENODATA, Errno);
        Assert.Equal(-1, SetXattr(path, "bogus.namespace", "x"u8));
        Assert.Equal(EOPNOTSUPP, Errno);

        // the shell tools agree
        var set = NativeHelper.Run("setfattr", $"-n user.tool -v tool-value {path}");
        Assert.True(set.ExitCode == 0, set.Error);
        var get = NativeHelper.Run("getfattr", $"--only-values -n user.tool {path}");
        Assert.Equal("tool-value", get.Output);
    }

    [Fact]
    public void ChmodChownAndUtimensat()
    {
        File.WriteAllText(P("m"), "");
        string path = P("m");
        var before = Stat(path);
        Thread.Sleep(20);
        Check(Chmod(path, 0x1C0 | 0x800), "chmod 4700");
        var st = Stat(path);
        Assert.Equal(0x8000 | 0x800 | 0x1C0, (int)st.Mode);
        Assert.True(Nanos(st.Ctime) > Nanos(before.Ctime));
        Check(Chown(path, 1000, 1001), "chown");
        st = Stat(path);
        Assert.Equal((1000U, 1001U), (st.Uid, st.Gid));
        Assert.Equal(0, st.Mode & 0x800); // chown of a set-user-ID file clears the bit
        Check(Chown(path, uint.MaxValue, 1002), "chgrp only");
        Assert.Equal((1000U, 1002U), (Stat(path).Uid, Stat(path).Gid));

        Check(Utimensat(path, new Timespec { Sec = 1_000_000, Nsec = 123 }, new Timespec { Sec = 2_000_000, Nsec = 456 }), "utimensat");
        st = Stat(path);
        Assert.Equal((1_000_000L, 123U, 2_000_000L, 456U), (st.Atime.Sec, st.Atime.Nsec, st.Mtime.Sec, st.Mtime.Nsec));
        Check(Utimensat(path, new Timespec { Nsec = UTIME_OMIT }, new Timespec { Nsec = UTIME_NOW }), "utimensat omit/now");
        st = Stat(path);
        Assert.Equal((1_000_000L, 123U), (st.Atime.Sec, st.Atime.Nsec));
        Assert.True(Math.Abs(st.Mtime.Sec - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) < 5);
        Check(Utimensat(path, new Timespec { Nsec = UTIME_NOW }, new Timespec { Nsec = UTIME_OMIT }), "utimensat now/omit");
        var st2 = Stat(path);
        Assert.Equal((st.Mtime.Sec, st.Mtime.Nsec), (st2.Mtime.Sec, st2.Mtime.Nsec));
        Assert.True(Math.Abs(st2.Atime.Sec - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) < 5);
    }

    private static long Nanos(StatxTimestamp t) => t.Sec * 1_000_000_000L + t.Nsec;

    [Fact]
    public void StatfsAndStatx()
    {
        Check(StatFs(_mount.Path, out StatfsBuf fs), "statfs");
        Assert.Equal(0x65735546, fs.Type); // FUSE_SUPER_MAGIC
        Assert.Equal(4096, fs.Bsize);
        Assert.Equal(255, fs.Namelen);
        Assert.True(fs.Blocks > 0 && fs.Bfree <= fs.Blocks && fs.Files > 0);
        File.WriteAllBytes(P("s"), new byte[8192]);
        Check(StatFs(_mount.Path, out StatfsBuf after), "statfs");
        Assert.Equal(fs.Bfree - 2, after.Bfree);
        Posix.Statx st = Stat(P("s"));
        Assert.Equal(STATX_BTIME, st.Mask & STATX_BTIME);
        Assert.True(st.Btime.Sec > 1_600_000_000);
    }

    [Fact]
    public void IoctlThroughTheKernel()
    {
        File.WriteAllText(P("attrs"), "x");
        var list = NativeHelper.Run("lsattr", $"-v {P("attrs")}"); // FS_IOC_GETVERSION and FS_IOC_GETFLAGS
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Matches(@"^\s*0\s+-+\s", list.Output);
        var set = NativeHelper.Run("chattr", $"+i {P("attrs")}"); // FS_IOC_SETFLAGS: not supported here
        Assert.NotEqual(0, set.ExitCode);
    }

    [Fact]
    public void NamesTooLongAreRefused()
    {
        Assert.Equal(-1, Open(P(new string('n', 256)), O_CREAT | O_WRONLY));
        Assert.Equal(ENAMETOOLONG, Errno);
        int fd = OpenOk(P(new string('n', 255)), O_CREAT | O_WRONLY);
        Close(fd);
    }
}
