using System.Runtime.InteropServices;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static ManagedCephFuse.FuseFs.Tests.Support.Posix;

namespace ManagedCephFuse.FuseFs.Tests.Kernel;

/// <summary>
/// A long random mix of writes, reads, appends, truncates, fallocate (allocate, punch, zero), copy_file_range,
/// mmap writes and reads, fsync, reopen, rename and unlink, checked against an in-memory model after every read
/// and, at the end, through O_DIRECT reads that bypass the page cache.
/// <para>
/// MCF_INTEGRITY_OPS (default 5000) sets the length: the on-demand long run is 100000. MCF_INTEGRITY_DIR runs it in
/// an existing directory (e.g. on a Ceph mount) instead of a fresh memory mount (served by the published daemon);
/// MCF_INTEGRITY_SEED picks the seed.
/// </para>
/// </summary>
[Trait("Category", "Kernel")]
public sealed class DataIntegrityTests(ITestOutputHelper output)
{
    private const int Files = 6, MaxSize = 12 << 20, Page = 4096;

    [Fact]
    public void RandomOperationsAgreeWithAModel()
    {
        int operations = int.TryParse(Environment.GetEnvironmentVariable("MCF_INTEGRITY_OPS"), out int n) ? n : 5000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("MCF_INTEGRITY_SEED"), out int s) ? s : 20261126;
        string? dir = Environment.GetEnvironmentVariable("MCF_INTEGRITY_DIR");
        if (dir is { Length: > 0 })
        {
            string work = Directory.CreateTempSubdirectory(Path.Combine(dir, "integrity-")).FullName;
            try
            {
                Run(work, operations, seed);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
            return;
        }
        // out of process: the test maps the files, and must not fault on pages its own process serves
        using var mount = new DaemonMount();
        Run(mount.Path, operations, seed);
        Assert.DoesNotContain(mount.Errors, e => e.Contains("fail", StringComparison.OrdinalIgnoreCase) || e.Contains("warn", StringComparison.OrdinalIgnoreCase));
    }

    private void Run(string root, int operations, int seed)
    {
        var run = new IntegrityRun(root, seed);
        var counts = new Dictionary<string, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < operations; i++)
            {
                string op = run.Step(i);
                counts[op] = counts.GetValueOrDefault(op) + 1;
            }
            run.VerifyAllDirect();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException || !e.Message.Contains("history", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{e.Message} — history: {run.History}", e);
        }
        finally
        {
            run.Dispose();
        }
        output.WriteLine($"{operations} operations (seed {seed}) in {clock.Elapsed.TotalSeconds:0.0} s: " +
            string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}")));
    }

    private sealed unsafe class IntegrityRun : IDisposable
    {
        private readonly string _root;
        private readonly Random _random;
        private readonly string[] _names = Enumerable.Range(0, Files).Select(i => $"file{i}").ToArray();
        private readonly List<byte>[] _model = Enumerable.Range(0, Files).Select(_ => new List<byte>()).ToArray();
        private readonly int[] _fds = new int[Files];
        private readonly byte[] _scratch = new byte[4 << 20];
        private readonly Queue<string> _history = new();

        /// <summary>The last operations, for failure messages.</summary>
        public string History => string.Join("; ", _history);

        private void Log(string what)
        {
            _history.Enqueue(what);
            if (_history.Count > 12)
                _history.Dequeue();
        }

        public IntegrityRun(string root, int seed)
        {
            _root = root;
            _random = new Random(seed);
            for (int i = 0; i < Files; i++)
                _fds[i] = OpenFile(i, O_CREAT | O_TRUNC);
        }

        private string PathOf(int i) => Path.Combine(_root, _names[i]);

        private int OpenFile(int i, int extra = 0) => (int)Check(Open(PathOf(i), O_RDWR | O_CLOEXEC | extra), $"open {_names[i]}");

        private long Size(int i) => _model[i].Count;

        public string Step(int step)
        {
            int f = _random.Next(Files);
            int roll = _random.Next(100);
            Log($"#{step} roll {roll} {_names[f]} (model {Size(f)})");
            switch (roll)
            {
                case < 25: Write(f); return "pwrite";
                case < 45: Read(f, step); return "pread";
                case < 50: Append(f); return "append";
                case < 57: Truncate(f); return "ftruncate";
                case < 66: Fallocate(f); return "fallocate";
                case < 73: Copy(f); return "copy_file_range";
                case < 79: MmapWrite(f); return "mmap-write";
                case < 84: MmapRead(f, step); return "mmap-read";
                case < 87: Check(Fsync(_fds[f]), "fsync"); return "fsync";
                case < 91: Close(_fds[f]); _fds[f] = OpenFile(f); return "reopen";
                case < 95: RenameOver(f); return "rename";
                case < 97: Recreate(f); return "unlink+create";
                default: VerifyWhole(f, step); return "verify-file";
            }
        }

        private int RandomLength() => _random.Next(10) switch
        {
            0 => _random.Next(1 << 20, 3 << 20),
            < 3 => _random.Next(1, 16),
            _ => _random.Next(1, 256 << 10),
        };

        private long RandomOffset(int f) => _random.Next(3) == 0 ? _random.NextInt64(0, Size(f) + 1) : _random.NextInt64(0, MaxSize - (3 << 20));

        private static void Extend(List<byte> model, long size)
        {
            if (model.Count < size)
                model.AddRange(new byte[size - model.Count]);
        }

        private static void Put(List<byte> model, long offset, ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty)
                return; // nothing written: the size does not move either
            Extend(model, offset + data.Length);
            for (int i = 0; i < data.Length; i++)
                model[(int)offset + i] = data[i];
        }

        private void Write(int f)
        {
            long offset = RandomOffset(f);
            Span<byte> data = _scratch.AsSpan(0, Math.Min(RandomLength(), MaxSize - (int)offset));
            _random.NextBytes(data);
            PWriteAll(_fds[f], data, offset);
            Put(_model[f], offset, data);
        }

        private void Append(int f)
        {
            if (Size(f) > MaxSize - (1 << 20))
                return;
            int fd = OpenFile(f, O_APPEND);
            Span<byte> data = _scratch.AsSpan(0, _random.Next(1, 70_000));
            _random.NextBytes(data);
            Assert.Equal(data.Length, Posix.Write(fd, data));
            Close(fd);
            Put(_model[f], Size(f), data);
        }

        private void Read(int f, int step)
        {
            long offset = _random.NextInt64(0, Size(f) + 2);
            int length = RandomLength();
            Span<byte> buffer = _scratch.AsSpan(0, Math.Min(length, _scratch.Length));
            int got = PReadAll(_fds[f], buffer, offset);
            long expected = Math.Max(0, Math.Min(buffer.Length, Size(f) - offset));
            Assert.True(got == expected, $"step {step}: read {_names[f]} at {offset}: {got} bytes, model has {expected}");
            Compare(f, offset, buffer[..got], step, "pread");
        }

        private void Compare(int f, long offset, ReadOnlySpan<byte> actual, int step, string how)
        {
            List<byte> model = _model[f];
            for (int i = 0; i < actual.Length; i++)
            {
                if (actual[i] != model[(int)offset + i])
                    Assert.Fail($"step {step}: {how} of {_names[f]} differs at byte {offset + i}: {actual[i]} vs model {model[(int)offset + i]} (size {model.Count})");
            }
        }

        private void Truncate(int f)
        {
            long size = _random.Next(3) == 0 ? 0 : _random.NextInt64(0, MaxSize);
            Check(Ftruncate(_fds[f], size), "ftruncate");
            List<byte> model = _model[f];
            if (size < model.Count)
                model.RemoveRange((int)size, model.Count - (int)size);
            else
                Extend(model, size);
        }

        private void Fallocate(int f)
        {
            long offset = RandomOffset(f);
            long length = Math.Min(_random.Next(1, 2 << 20), MaxSize - offset);
            if (length <= 0)
                return;
            int mode = _random.Next(5) switch
            {
                0 => 0,
                1 => FALLOC_FL_KEEP_SIZE,
                2 or 3 => FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                _ => FALLOC_FL_ZERO_RANGE | (_random.Next(2) == 0 ? FALLOC_FL_KEEP_SIZE : 0),
            };
            Check(Posix.Fallocate(_fds[f], mode, offset, length), $"fallocate mode {mode}");
            List<byte> model = _model[f];
            long end = offset + length;
            bool keep = (mode & FALLOC_FL_KEEP_SIZE) != 0;
            if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) != 0)
            {
                long zeroEnd = keep ? Math.Min(end, model.Count) : end;
                if (!keep)
                    Extend(model, end);
                for (long i = offset; i < zeroEnd; i++)
                    model[(int)i] = 0;
            }
            else if (!keep)
            {
                Extend(model, end);
            }
        }

        private void Copy(int f)
        {
            int g = _random.Next(Files);
            long offIn = _random.NextInt64(0, Size(f) + 1);
            long offOut = RandomOffset(g);
            long length = Math.Min(RandomLength(), MaxSize - offOut);
            if (length <= 0)
                return;
            long available = Math.Max(0, Math.Min(length, Size(f) - offIn));
            if (f == g && offIn < offOut + available && offOut < offIn + available)
                return; // overlapping ranges of one file: EINVAL, covered elsewhere
            long copied = 0;
            while (copied < available)
            {
                long n = Check(CopyFileRange(_fds[f], offIn + copied, _fds[g], offOut + copied, available - copied), "copy_file_range");
                if (n == 0)
                    break;
                copied += n;
            }
            Assert.Equal(available, copied);
            byte[] chunk = _model[f].GetRange((int)offIn, (int)available).ToArray();
            Put(_model[g], offOut, chunk);
        }

        private void MmapWrite(int f)
        {
            long size = Size(f);
            if (size < Page)
                return;
            long mapOffset = _random.NextInt64(0, size / Page) * Page;
            long mapLength = Math.Min(size - mapOffset, _random.Next(Page, 2 << 20));
            nint map = Mmap(0, (nuint)mapLength, PROT_READ | PROT_WRITE, MAP_SHARED, _fds[f], mapOffset);
            Assert.True(map != -1, $"mmap: {CephClient.Errno.Name(Posix.Errno)}");
            try
            {
                int at = _random.Next(0, (int)mapLength);
                int length = _random.Next(1, (int)Math.Min(mapLength - at, 300_000) + 1);
                Span<byte> data = _scratch.AsSpan(0, length);
                _random.NextBytes(data);
                data.CopyTo(new Span<byte>((byte*)map + at, length));
                Put(_model[f], mapOffset + at, data);
                if (_random.Next(2) == 0)
                    Check(Msync(map, (nuint)mapLength, MS_SYNC), "msync");
            }
            finally
            {
                Munmap(map, (nuint)mapLength);
            }
        }

        private void MmapRead(int f, int step)
        {
            long size = Size(f);
            if (size < Page)
                return;
            long mapOffset = _random.NextInt64(0, size / Page) * Page;
            long mapLength = Math.Min(size - mapOffset, _random.Next(Page, 4 << 20));
            nint map = Mmap(0, (nuint)mapLength, PROT_READ, MAP_SHARED, _fds[f], mapOffset);
            Assert.True(map != -1, $"mmap: {CephClient.Errno.Name(Posix.Errno)}");
            try
            {
                Compare(f, mapOffset, new ReadOnlySpan<byte>((byte*)map, (int)mapLength), step, "mmap read");
            }
            finally
            {
                Munmap(map, (nuint)mapLength);
            }
        }

        private void RenameOver(int f)
        {
            int g = _random.Next(Files);
            if (g == f)
                return;
            Check(Posix.Rename(PathOf(f), PathOf(g)), "rename");
            // g's name now holds f's data; f's name is gone: recreate it empty
            Close(_fds[g]);
            _fds[g] = _fds[f];
            _model[g] = new List<byte>(_model[f]);
            _model[f].Clear();
            _fds[f] = OpenFile(f, O_CREAT | O_EXCL);
        }

        private void Recreate(int f)
        {
            Close(_fds[f]);
            Check(Unlink(PathOf(f)), "unlink");
            _model[f].Clear();
            _fds[f] = OpenFile(f, O_CREAT | O_EXCL);
        }

        private void VerifyWhole(int f, int step)
        {
            ulong statSize = Stat(PathOf(f)).Size;
            Assert.True((ulong)Size(f) == statSize, $"step {step}: stat says {_names[f]} has {statSize} bytes, the model {Size(f)}; history: {History}");
            byte[] all = File.ReadAllBytes(PathOf(f));
            Assert.Equal(Size(f), all.Length);
            Compare(f, 0, all, step, "whole-file read");
        }

        /// <summary>fsync, then read every file with O_DIRECT: what the file system itself holds.</summary>
        public void VerifyAllDirect()
        {
            byte* buffer = (byte*)NativeMemory.AlignedAlloc(1 << 20, Page);
            try
            {
                for (int f = 0; f < Files; f++)
                {
                    Check(Fsync(_fds[f]), "fsync");
                    int fd = (int)Check(Open(PathOf(f), O_RDONLY | O_DIRECT | O_CLOEXEC), "open O_DIRECT");
                    long offset = 0;
                    while (true)
                    {
                        int n = PRead(fd, new Span<byte>(buffer, 1 << 20), offset);
                        Check(n, "pread O_DIRECT");
                        if (n == 0)
                            break;
                        Compare(f, offset, new ReadOnlySpan<byte>(buffer, n), -1, "O_DIRECT read");
                        offset += n;
                    }
                    Close(fd);
                    Assert.True(offset == Size(f), $"{_names[f]}: O_DIRECT read {offset} bytes, model has {Size(f)}");
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        }

        public void Dispose()
        {
            foreach (int fd in _fds)
                Close(fd);
        }
    }
}
