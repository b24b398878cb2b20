using System.Diagnostics;
using System.Globalization;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;
using Xunit.Abstractions;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// Random operations on a managed-cephfuse mount checked against a model of what the files must hold, with
/// Debian's ceph-fuse as the second reader that must agree. The suite runs a short version; set
/// MCF_INTEGRITY_OPS (e.g. 100000) and MCF_INTEGRITY_SEED for a long run.
/// </summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class IntegrityTests(CephMounts mounts, ITestOutputHelper output)
{
    private const int Files = 6;
    private const long MaxSize = 6L << 20;

    [Fact]
    public void RandomOperationsAgreeWithTheModelAndWithCephFuse()
    {
        int operations = int.TryParse(Environment.GetEnvironmentVariable("MCF_INTEGRITY_OPS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 3000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("MCF_INTEGRITY_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : Environment.TickCount;
        var random = new Random(seed);
        string dir = mounts.NewDirectory("integrity");
        var run = new Workload(mounts.Ours, mounts.CephFuse, dir, random);
        var clock = Stopwatch.StartNew();
        var counts = new Dictionary<string, int>();
        try
        {
            run.Start();
            for (int i = 0; i < operations; i++)
            {
                string op = run.Step(i);
                counts[op] = counts.GetValueOrDefault(op) + 1;
            }
            run.VerifyAll("end");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"integrity run failed (seed {seed}, operation {run.Operation}, last: {run.Last}); history:\n{run.History}", e);
        }
        finally
        {
            run.Dispose();
        }
        output.WriteLine($"{operations} operations (seed {seed}) in {clock.Elapsed.TotalSeconds:0.0} s: " +
            string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")) + $"; ceph-fuse compared {run.Comparisons} times");
    }

    private sealed class Workload(DaemonMount ours, DaemonMount reader, string dir, Random random) : IDisposable
    {
        private readonly List<byte>[] _model = new List<byte>[Files];
        private readonly string[] _names = new string[Files];
        private readonly int[] _fds = new int[Files];
        private int _nextName;

        public int Operation { get; private set; }

        public string Last { get; private set; } = "";

        private readonly Queue<string> _history = new();

        private void Note(string what)
        {
            _history.Enqueue($"#{Operation} {what}");
            if (_history.Count > 30)
                _history.Dequeue();
        }

        public string History => string.Join("\n", _history);

        public int Comparisons { get; private set; }

        public void Start()
        {
            for (int i = 0; i < Files; i++)
                Create(i);
        }

        public string Step(int index)
        {
            Operation = index;
            int f = random.Next(Files);
            int choice = random.Next(100);
            string op = choice switch
            {
                < 30 => Write(f),
                < 45 => Read(f),
                < 52 => Truncate(f),
                < 60 => Append(f),
                < 68 => Copy(f, random.Next(Files)),
                < 74 => Punch(f),
                < 78 => Allocate(f),
                < 84 => Rename(f),
                < 87 => Recreate(f),
                < 90 => Sync(f),
                _ => CompareWithReader(f),
            };
            Last = $"{op} on file {f} ({_names[f]}, {_model[f].Count} bytes)";
            if (index % 500 == 499)
                VerifyAll($"checkpoint {index + 1}");
            return op;
        }

        public void VerifyAll(string when)
        {
            for (int f = 0; f < Files; f++)
            {
                Assert.True(Same(ReadThrough(f), _model[f]), $"{when}: file {f} differs from the model through managed-cephfuse");
                CompareWithReader(f);
            }
        }

        private string Write(int f)
        {
            List<byte> model = _model[f];
            long offset = random.Next((int)Math.Min(model.Count + 65536, MaxSize));
            int length = random.Next(1, 300_000);
            if (offset + length > MaxSize)
                length = (int)(MaxSize - offset);
            byte[] data = Bytes(length);
            Assert.Equal(length, Sys.PWrite(_fds[f], data, offset));
            Put(model, offset, data);
            Note($"write f{f} {offset}+{length}");
            return "write";
        }

        private string Read(int f)
        {
            List<byte> model = _model[f];
            int offset = random.Next(model.Count + 1);
            int length = random.Next(1, 400_000);
            var buffer = new byte[length];
            int n = Sys.PRead(_fds[f], buffer, offset);
            int expected = Math.Max(0, Math.Min(length, model.Count - offset));
            Assert.Equal(expected, n);
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != model[offset + i])
                    Assert.Fail($"read of file {f} at {offset + i} gave {buffer[i]}, the model has {model[offset + i]}");
            }
            return "read";
        }

        private string Truncate(int f)
        {
            List<byte> model = _model[f];
            int size = random.Next((int)Math.Min(model.Count * 2 + 4096, MaxSize));
            Sys.Check(Sys.Ftruncate(_fds[f], size), "ftruncate");
            Resize(model, size);
            Note($"truncate f{f} {size}");
            return "truncate";
        }

        private string Append(int f)
        {
            List<byte> model = _model[f];
            byte[] data = Bytes(random.Next(1, 100_000));
            if (model.Count + data.Length > MaxSize)
                return Truncate(f);
            int fd = Sys.Check(Sys.Open(Path(f), Sys.O_WRONLY | Sys.O_APPEND), "open append");
            try
            {
                Assert.Equal(data.Length, Sys.Write(fd, data));
            }
            finally
            {
                Sys.Close(fd);
            }
            model.AddRange(data);
            Note($"append f{f} {data.Length}");
            return "append";
        }

        private string Copy(int from, int to)
        {
            List<byte> source = _model[from], target = _model[to];
            if (source.Count == 0)
                return Write(from);
            int offIn = random.Next(source.Count);
            int length = random.Next(1, Math.Min(source.Count - offIn, 2_500_000) + 1);
            long offOut = random.Next((int)Math.Min(target.Count + 8192, MaxSize - length));
            if (from == to && offOut < offIn + length && offIn < offOut + length)
                offOut = Math.Min(offIn + length, MaxSize - length); // same file: ranges must not overlap
            if (from == to && offOut < offIn + length && offIn < offOut + length)
                return Read(from);
            long copied = 0;
            while (copied < length)
            {
                long c = Sys.Check(Sys.CopyFileRange(_fds[from], offIn + copied, _fds[to], offOut + copied, length - copied), "copy_file_range");
                Assert.True(c > 0, "copy_file_range copied nothing");
                copied += c;
            }
            byte[] data = source.GetRange(offIn, length).ToArray();
            Put(target, offOut, data);
            Note($"copy f{from}@{offIn} -> f{to}@{offOut} {length}");
            return "copy_file_range";
        }

        private string Punch(int f)
        {
            List<byte> model = _model[f];
            if (model.Count == 0)
                return Write(f);
            int offset = random.Next(model.Count);
            int length = random.Next(1, Math.Min(model.Count - offset, 1_000_000) + 1);
            Sys.Check(Sys.Fallocate(_fds[f], Sys.FALLOC_FL_PUNCH_HOLE | Sys.FALLOC_FL_KEEP_SIZE, offset, length), "punch hole");
            for (int i = 0; i < length; i++)
                model[offset + i] = 0;
            Note($"punch f{f} {offset}+{length}");
            return "punch_hole";
        }

        private string Allocate(int f)
        {
            List<byte> model = _model[f];
            long offset = random.Next((int)Math.Min(model.Count + 65536, MaxSize - 200_000));
            int length = random.Next(1, 200_000);
            Sys.Check(Sys.Fallocate(_fds[f], 0, offset, length), "fallocate");
            if (offset + length > model.Count)
                Resize(model, (int)(offset + length));
            Note($"fallocate f{f} {offset}+{length}");
            return "fallocate";
        }

        private string Rename(int f)
        {
            string newName = $"r{_nextName++}";
            File.Move(Path(f), ours[System.IO.Path.Combine(dir, newName)]);
            _names[f] = newName;
            Note($"rename f{f} -> {newName}");
            return "rename";
        }

        private string Recreate(int f)
        {
            Sys.Close(_fds[f]);
            File.Delete(Path(f));
            Create(f);
            Note($"recreate f{f} {_names[f]}");
            return "unlink_create";
        }

        private string Sync(int f)
        {
            Sys.Check(random.Next(2) == 0 ? Sys.Fsync(_fds[f]) : FDataSync(_fds[f]), "fsync");
            return "fsync";
        }

        private string CompareWithReader(int f)
        {
            // O_DIRECT: ceph-fuse opens files with keep_cache, and its page cache keeps pages another client has
            // since overwritten while that client holds Fw (nothing revokes ceph-fuse's caps then, and the MDS
            // has not seen the new mtime yet); its data path itself is coherent.
            byte[] theirs = ReadDirect(reader[System.IO.Path.Combine(dir, _names[f])], _model[f].Count);
            Comparisons++;
            Assert.True(Same(theirs, _model[f]), $"ceph-fuse reads file {f} ({theirs.Length} bytes) differently from the model ({_model[f].Count} bytes){Difference(theirs, _model[f])}");
            Note($"compare f{f}");
            return "compare_ceph_fuse";
        }

        private void Create(int f)
        {
            _names[f] = $"f{_nextName++}";
            _model[f] = [];
            _fds[f] = Sys.Check(Sys.Open(Path(f), Sys.O_CREAT | Sys.O_EXCL | Sys.O_RDWR), "create");
        }

        private byte[] ReadThrough(int f)
        {
            var all = new byte[_model[f].Count + 1];
            int at = 0;
            while (true)
            {
                int n = Sys.PRead(_fds[f], all.AsSpan(at), at);
                Assert.True(n >= 0, $"pread errno {Sys.Errno}");
                if (n == 0)
                    break;
                at += n;
                if (at == all.Length)
                    break;
            }
            return all.AsSpan(0, at).ToArray();
        }

        private static byte[] ReadDirect(string path, int expected)
        {
            int fd = Sys.Check(Sys.Open(path, Sys.O_RDONLY | Sys.O_DIRECT), "open O_DIRECT");
            try
            {
                var all = new byte[expected + (1 << 20)];
                int at = 0;
                while (true)
                {
                    int n = Sys.PRead(fd, all.AsSpan(at, Math.Min(1 << 20, all.Length - at)), at);
                    Assert.True(n >= 0, $"pread errno {Sys.Errno}");
                    if (n == 0 || at + n == all.Length)
                    {
                        at += n;
                        break;
                    }
                    at += n;
                }
                return all.AsSpan(0, at).ToArray();
            }
            finally
            {
                Sys.Close(fd);
            }
        }

        private string Path(int f) => ours[System.IO.Path.Combine(dir, _names[f])];

        private byte[] Bytes(int length)
        {
            var data = new byte[length];
            random.NextBytes(data);
            return data;
        }

        private static void Put(List<byte> model, long offset, byte[] data)
        {
            if (offset + data.Length > model.Count)
                Resize(model, (int)(offset + data.Length));
            for (int i = 0; i < data.Length; i++)
                model[(int)offset + i] = data[i];
        }

        private static void Resize(List<byte> model, int size)
        {
            if (size < model.Count)
                model.RemoveRange(size, model.Count - size);
            else
                model.AddRange(new byte[size - model.Count]);
        }

        private static string Difference(byte[] actual, List<byte> expected)
        {
            int n = Math.Min(actual.Length, expected.Count);
            int first = -1, last = -1;
            for (int i = 0; i < n; i++)
            {
                if (actual[i] != expected[i])
                {
                    if (first < 0)
                        first = i;
                    last = i;
                }
            }
            return first < 0 ? "" : $": bytes {first}..{last} differ (first: {actual[first]} vs {expected[first]})";
        }

        private static bool Same(byte[] actual, List<byte> expected) =>
            actual.Length == expected.Count && actual.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(expected));

        public void Dispose()
        {
            foreach (int fd in _fds)
            {
                if (fd > 0)
                    Sys.Close(fd);
            }
        }

        private static int FDataSync(int fd) => Sys.Fdatasync(fd);
    }
}
