using System.Security.Cryptography;
using Xunit;

namespace ManagedCephFuse.CephClient.Tests;

/// <summary>Reads and writes straight between caller memory and RADOS: sizes, offsets, holes, EOF, vectors,
/// durability calls, fallocate and lseek.</summary>
[Trait("Category", "Cluster")]
public sealed class DataTests(CephFsFixture fs) : IClassFixture<CephFsFixture>
{
    private readonly CephMount _m = fs.Mount;

    private (CephInode Inode, CephFile File) NewFile(CephInode dir, string name = "f") =>
        _m.Create(dir, name, 0x1A4, OpenFlags.ReadWrite);

    [Fact]
    public void OneMebibyteRoundTripsThroughAFreshMount()
    {
        using var dir = fs.NewDir(out string dirName);
        byte[] data = RandomNumberGenerator.GetBytes(1 << 20);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            Assert.Equal(data.Length, _m.Write(file, 0, data));
            _m.Fsync(file);
        }
        // another client reads what RADOS has, not this client's cache
        using var other = CephMount.Connect(TestMounts.Admin());
        using var f = other.Walk($"{fs.DirPath}/{dirName}/f");
        Assert.Equal((ulong)data.Length, other.GetAttr(f).Size);
        using var reader = other.Open(f, OpenFlags.ReadOnly);
        var back = new byte[data.Length + 4096];
        Assert.Equal(data.Length, other.Read(reader, 0, back));
        Assert.True(data.AsSpan().SequenceEqual(back.AsSpan(0, data.Length)), "data differs");
    }

    [Fact]
    public void UnalignedWritesLandExactlyAndShortReadsStopAtEof()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            byte[] a = RandomNumberGenerator.GetBytes(12345);
            byte[] b = RandomNumberGenerator.GetBytes(777);
            Assert.Equal(a.Length, _m.Write(file, 4097, a));
            Assert.Equal(b.Length, _m.Write(file, 4097 + 1000, b)); // overlaps a
            long size = 4097 + a.Length;
            Assert.Equal((ulong)size, _m.GetAttr(inode, StatxMask.Size).Size);

            var buffer = new byte[20000];
            int n = _m.Read(file, 4000, buffer);
            Assert.Equal(size - 4000, n);
            Assert.True(buffer.AsSpan(0, 97).IndexOfAnyExcept((byte)0) < 0, "the unwritten start is not zero");
            Assert.True(buffer.AsSpan(97, 1000).SequenceEqual(a.AsSpan(0, 1000)));
            Assert.True(buffer.AsSpan(1097, 777).SequenceEqual(b));
            Assert.True(buffer.AsSpan(1097 + 777, n - 1097 - 777).SequenceEqual(a.AsSpan(1777)));

            Assert.Equal(0, _m.Read(file, size, buffer));
            Assert.Equal(0, _m.Read(file, size + 100, buffer));
            Assert.Equal(1, _m.Read(file, size - 1, buffer));
        }
    }

    [Fact]
    public void SparseFilesReadZerosInTheHole()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            const long far = 10L << 20;
            Assert.Equal(1, _m.Write(file, far, "z"u8));
            _m.Fsync(file);
            var attr = _m.GetAttr(inode, StatxMask.Size | StatxMask.Blocks);
            Assert.Equal((ulong)far + 1, attr.Size);
            var buffer = new byte[1 << 20];
            buffer.AsSpan().Fill(0xFF);
            Assert.Equal(buffer.Length, _m.Read(file, 5L << 20, buffer));
            Assert.True(buffer.AsSpan().IndexOfAnyExcept((byte)0) < 0, "a hole read non-zero bytes");
            Assert.Equal(1, _m.Read(file, far, buffer));
            Assert.Equal((byte)'z', buffer[0]);
        }
    }

    [Fact]
    public void VectoredReadsAndWritesScatterAndGather()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            byte[] head = RandomNumberGenerator.GetBytes(100);
            byte[] body = RandomNumberGenerator.GetBytes(70000);
            // hot path: two spans
            Assert.Equal(head.Length + body.Length, _m.LowLevel.WriteV(file.Raw, 3, head, body));
            var h = new byte[100];
            var b = new byte[70000];
            Assert.Equal(70100, _m.LowLevel.ReadV(file.Raw, 3, h, b));
            Assert.Equal(head, h);
            Assert.Equal(body, b);

            // throwing layer: any number of buffers
            var parts = Enumerable.Range(1, 5).Select(i => (ReadOnlyMemory<byte>)RandomNumberGenerator.GetBytes(i * 1000)).ToList();
            Assert.Equal(15000, _m.WriteV(file, 1 << 20, parts));
            var into = Enumerable.Range(1, 3).Select(i => (Memory<byte>)new byte[6000]).ToList();
            Assert.Equal(15000, _m.ReadV(file, 1 << 20, into)); // 18000 asked, 15000 there
            byte[] expected = parts.SelectMany(p => p.ToArray()).ToArray();
            byte[] got = into.SelectMany(p => p.ToArray()).ToArray();
            Assert.Equal(expected, got[..15000]);
            Assert.True(got.AsSpan(15000).IndexOfAnyExcept((byte)0) < 0);
        }
    }

    [Fact]
    public void LargeWriteAcrossObjectBoundariesIsIntact()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            // the default layout stripes 4 MiB objects: this write spans three of them, unaligned
            byte[] data = RandomNumberGenerator.GetBytes((5 << 20) + 17);
            Assert.Equal(data.Length, _m.Write(file, (3 << 20) + 5, data));
            _m.Fsync(file, dataOnly: true);
            var back = new byte[data.Length];
            Assert.Equal(data.Length, _m.Read(file, (3 << 20) + 5, back));
            Assert.True(data.AsSpan().SequenceEqual(back));
            Assert.Equal("4194304", _m.GetXattrText(inode, "ceph.file.layout.object_size"));
        }
    }

    [Fact]
    public void FsyncAndSyncInodeSucceedOnDirtyData()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            _m.Write(file, 0, RandomNumberGenerator.GetBytes(300000));
            _m.Fsync(file, dataOnly: true);
            _m.Write(file, 300000, "tail"u8);
            _m.Fsync(file);
            _m.Write(file, 0, "head"u8);
            _m.SyncInode(inode);
            _m.SyncInode(inode, dataOnly: true);
            _m.SyncFs();
            Assert.Equal(300004UL, _m.GetAttr(inode, StatxMask.Size).Size);
        }
    }

    [Fact]
    public void FallocateGrowsKeepsSizeAndPunchesHoles()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            byte[] data = new byte[1 << 20];
            data.AsSpan().Fill(0xAA);
            _m.Write(file, 0, data);

            _m.Fallocate(file, FallocateMode.PunchHole | FallocateMode.KeepSize, 128 << 10, 256 << 10);
            Assert.Equal((ulong)data.Length, _m.GetAttr(inode, StatxMask.Size).Size);
            var back = new byte[data.Length];
            Assert.Equal(data.Length, _m.Read(file, 0, back));
            Assert.True(back.AsSpan(0, 128 << 10).IndexOfAnyExcept((byte)0xAA) < 0);
            Assert.True(back.AsSpan(128 << 10, 256 << 10).IndexOfAnyExcept((byte)0) < 0, "punched range not zero");
            Assert.True(back.AsSpan(384 << 10).IndexOfAnyExcept((byte)0xAA) < 0);

            _m.Fallocate(file, FallocateMode.KeepSize, 0, 4 << 20);
            Assert.Equal((ulong)data.Length, _m.GetAttr(inode, StatxMask.Size).Size);
            _m.Fallocate(file, FallocateMode.Allocate, 0, 3 << 20);
            Assert.Equal(3UL << 20, _m.GetAttr(inode, StatxMask.Size).Size);

            var e = Assert.Throws<CephException>(() => _m.Fallocate(file, FallocateMode.PunchHole, 0, 4096));
            Assert.Equal(Errno.EOPNOTSUPP, e.Errno); // a hole must keep the size, as on Linux
        }
    }

    [Fact]
    public void LseekFindsDataAndHolesTheWayCephFsDoes()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            _m.Write(file, 8 << 20, "end"u8);
            long size = (8 << 20) + 3;
            Assert.Equal(size, _m.Seek(file, 0, SeekWhence.End));
            Assert.Equal(10, _m.Seek(file, 10, SeekWhence.Set));
            Assert.Equal(15, _m.Seek(file, 5, SeekWhence.Current));
            // Pacific treats the whole file as data: SEEK_DATA stays put, SEEK_HOLE is the end
            Assert.Equal(4096, _m.Seek(file, 4096, SeekWhence.Data));
            Assert.Equal(size, _m.Seek(file, 4096, SeekWhence.Hole));
            Assert.Equal(Errno.ENXIO, Assert.Throws<CephException>(() => _m.Seek(file, size, SeekWhence.Data)).Errno);
            Assert.Equal(Errno.ENXIO, Assert.Throws<CephException>(() => _m.Seek(file, size + 1, SeekWhence.Hole)).Errno);
            Assert.Equal(-Errno.EINVAL, _m.LowLevel.Lseek(file.Raw, -5, SeekWhence.Set));
        }
    }

    [Fact]
    public void EmptyTransfersReturnZeroInsteadOfAbortingTheProcess()
    {
        using var dir = fs.NewDir(out _);
        var (inode, file) = NewFile(dir);
        using (inode)
        using (file)
        {
            var ll = _m.LowLevel;
            _m.Write(file, 0, "abc"u8);
            // libcephfs 16.2 asserts (and aborts the process) on zero-length writes: the binding answers them
            Assert.Equal(0, ll.Write(file.Raw, 10, ReadOnlySpan<byte>.Empty));
            Assert.Equal(0, ll.WriteV(file.Raw, 0, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty));
            Assert.Equal(0, ll.WriteV(file.Raw, 0, ReadOnlySpan<IoVec>.Empty));
            Assert.Equal(0, _m.WriteV(file, 0, [ReadOnlyMemory<byte>.Empty]));
            Assert.Equal(0, ll.Read(file.Raw, 0, Span<byte>.Empty));
            Assert.Equal(0, ll.ReadV(file.Raw, 0, Span<byte>.Empty, Span<byte>.Empty));
            Assert.Equal(3UL, _m.GetAttr(inode, StatxMask.Size).Size);
            Assert.Equal(-Errno.EINVAL, ll.Fallocate(file.Raw, FallocateMode.Allocate, 0, 0));
        }
    }
}
