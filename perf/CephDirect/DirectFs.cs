using System.Diagnostics;
using System.Text;
using ManagedCephFuse.CephClient;

namespace ManagedCephFuse.CephDirect;

/// <summary>One operation failed: which call, on what, with which errno.</summary>
internal sealed class DirectFailure(string message) : Exception(message);

/// <summary>What one operation did and how long its timed part took.</summary>
internal readonly record struct OpResult(long Ops, long Bytes, double Seconds)
{
    public override string ToString() => FormattableString.Invariant($"ok ops={Ops} bytes={Bytes} seconds={Seconds:F6}");
}

/// <summary>
/// The bench's I/O patterns done straight on libcephfs through <see cref="CephLowLevel"/>: the same calls a
/// FUSE daemon makes for each kernel request, minus the kernel and FUSE. Each mirrors what fio or fsops does
/// on a mount point (same block sizes, file counts, jobs, fsync points and timed region), so the result is
/// the upper bound for a FUSE client on this cluster. Paths are relative to the driver's root directory.
/// </summary>
internal sealed unsafe class DirectFs
{
    private const uint FileMode = 0x1A4; // 0644
    private const uint DirMode = 0x1ED;  // 0755
    private const int NameLength = 8;    // "f" + 7 digits, as fsops names them

    private readonly CephLowLevel _ll;
    private readonly UserPermPtr _perms;
    private readonly string _root;

    public DirectFs(CephMount mount, string root)
    {
        _ll = mount.LowLevel;
        _perms = mount.DefaultPerms;
        _root = "/" + root.Trim('/');
        _ll.Put(MakeDirs(_root));
    }

    // ---- large files ---------------------------------------------------------------------------------

    /// <summary>fio rw=write bs=BS size=SIZE end_fsync=1 on a new file: create, write, fsync (timed), close.</summary>
    public OpResult SequentialWrite(string file, long size, int blockSize)
    {
        var (dir, name) = OpenParent(file, create: true);
        try
        {
            byte[] buffer = Filled(blockSize);
            var watch = Stopwatch.StartNew();
            Check(_ll.Create(dir, name, FileMode, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate,
                out var inode, out var fh, out _, StatxMask.None, AtFlags.None, _perms), "create", file);
            long ops = 0;
            try
            {
                for (long offset = 0; offset < size; ops++)
                {
                    int chunk = (int)Math.Min(blockSize, size - offset);
                    offset += WriteAll(fh, offset, buffer.AsSpan(0, chunk), file);
                }
                Check(_ll.Fsync(fh, dataOnly: false), "fsync", file);
                return new OpResult(ops, size, watch.Elapsed.TotalSeconds);
            }
            finally
            {
                _ll.Close(fh);
                _ll.Put(inode);
            }
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    /// <summary>fio rw=read bs=BS: read the whole file in order.</summary>
    public OpResult SequentialRead(string file, int blockSize)
    {
        var inode = Walk(file, out _);
        try
        {
            Check(_ll.Open(inode, OpenFlags.ReadOnly, out var fh, _perms), "open", file);
            try
            {
                byte[] buffer = new byte[blockSize];
                long ops = 0, bytes = 0;
                var watch = Stopwatch.StartNew();
                for (;;)
                {
                    int n = _ll.Read(fh, bytes, buffer);
                    Check(n, "read", file);
                    if (n == 0)
                        break;
                    bytes += n;
                    ops++;
                }
                return new OpResult(ops, bytes, watch.Elapsed.TotalSeconds);
            }
            finally
            {
                _ll.Close(fh);
            }
        }
        finally
        {
            _ll.Put(inode);
        }
    }

    /// <summary>
    /// fio rw=randread|randwrite bs=BS numjobs=JOBS time_based runtime=SECONDS ioengine=psync (direct=0|1;
    /// writes end with an fsync inside the timed region, as end_fsync=1): JOBS threads, each with its own open
    /// file, doing block-aligned I/O at uniformly random offsets until the time is up.
    /// </summary>
    public OpResult RandomIo(string file, int blockSize, int jobs, double seconds, bool write, bool direct)
    {
        var inode = Walk(file, out var attr);
        try
        {
            long blocks = (long)attr.Size / blockSize;
            if (blocks == 0)
                throw new DirectFailure($"random I/O on {file}: the file is smaller than one block");
            var flags = (write ? OpenFlags.WriteOnly : OpenFlags.ReadOnly) | (direct ? OpenFlags.Direct : 0);
            var handles = new FhPtr[jobs];
            for (int j = 0; j < jobs; j++)
                Check(_ll.Open(inode, flags, out handles[j], _perms), "open", file);
            try
            {
                long[] counts = new long[jobs];
                string?[] errors = new string?[jobs];
                using var start = new ManualResetEventSlim();
                long deadline = 0;
                var threads = new Thread[jobs];
                for (int j = 0; j < jobs; j++)
                {
                    int job = j;
                    threads[j] = new Thread(() =>
                    {
                        var random = new Random(job * 7919 + 17);
                        byte[] buffer = Filled(blockSize);
                        FhPtr fh = handles[job];
                        long count = 0;
                        start.Wait();
                        while (Stopwatch.GetTimestamp() < Volatile.Read(ref deadline))
                        {
                            long offset = random.NextInt64(blocks) * blockSize;
                            int r = write ? _ll.Write(fh, offset, buffer) : _ll.Read(fh, offset, buffer);
                            if (r < 0)
                            {
                                errors[job] = $"{(write ? "write" : "read")} {file}: {Errno.Name(-r)}";
                                return;
                            }
                            count++;
                        }
                        if (write && _ll.Fsync(fh, dataOnly: false) is var f and < 0)
                            errors[job] = $"fsync {file}: {Errno.Name(-f)}";
                        counts[job] = count;
                    })
                    { IsBackground = true, Name = $"job {j}" };
                    threads[j].Start();
                }
                long begin = Stopwatch.GetTimestamp();
                Volatile.Write(ref deadline, begin + (long)(seconds * Stopwatch.Frequency));
                start.Set();
                foreach (var thread in threads)
                    thread.Join();
                double elapsed = Stopwatch.GetElapsedTime(begin).TotalSeconds;
                if (Array.Find(errors, e => e is not null) is { } error)
                    throw new DirectFailure(error);
                long ops = counts.Sum();
                return new OpResult(ops, ops * blockSize, elapsed);
            }
            finally
            {
                foreach (var fh in handles)
                {
                    if (!fh.IsNull)
                        _ll.Close(fh);
                }
            }
        }
        finally
        {
            _ll.Put(inode);
        }
    }

    // ---- many files ----------------------------------------------------------------------------------

    /// <summary>fsops create: open(O_CREAT|O_EXCL|O_WRONLY) + close of f0000000 … in DIR (made first, untimed).</summary>
    public OpResult CreateFiles(string dirPath, int count)
    {
        var dir = MakeDirs(Full(dirPath));
        try
        {
            Span<byte> name = stackalloc byte[NameLength + 1];
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                FormatName(name, i);
                Check(_ll.Create(dir, name, FileMode, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Exclusive,
                    out var inode, out var fh, out _, StatxMask.None, AtFlags.None, _perms), "create", dirPath, name);
                _ll.Close(fh);
                _ll.Put(inode);
            }
            return new OpResult(count, 0, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    /// <summary>fsops stat: a lookup with the attributes stat(2) needs, per file (what a FUSE LOOKUP costs).</summary>
    public OpResult StatFiles(string dirPath, int count)
    {
        var dir = Walk(dirPath, out _);
        try
        {
            Span<byte> name = stackalloc byte[NameLength + 1];
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                FormatName(name, i);
                Check(_ll.Lookup(dir, name, out var inode, out _, StatxMask.BasicStats, AtFlags.None, _perms),
                    "lookup", dirPath, name);
                _ll.Put(inode);
            }
            return new OpResult(count, 0, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    /// <summary>fsops unlink.</summary>
    public OpResult UnlinkFiles(string dirPath, int count)
    {
        var dir = Walk(dirPath, out _);
        try
        {
            Span<byte> name = stackalloc byte[NameLength + 1];
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                FormatName(name, i);
                Check(_ll.Unlink(dir, name, _perms), "unlink", dirPath, name);
            }
            return new OpResult(count, 0, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    /// <summary>fsops smallwrite: create + write SIZE bytes + close, per file.</summary>
    public OpResult WriteSmallFiles(string dirPath, int count, int size)
    {
        var dir = MakeDirs(Full(dirPath));
        try
        {
            byte[] buffer = Filled(size);
            Span<byte> name = stackalloc byte[NameLength + 1];
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                FormatName(name, i);
                Check(_ll.Create(dir, name, FileMode, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate,
                    out var inode, out var fh, out _, StatxMask.None, AtFlags.None, _perms), "create", dirPath, name);
                try
                {
                    WriteAll(fh, 0, buffer, dirPath);
                }
                finally
                {
                    _ll.Close(fh);
                    _ll.Put(inode);
                }
            }
            return new OpResult(count, (long)count * size, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    /// <summary>fsops smallread: lookup + open + read SIZE bytes (all of them) + close, per file.</summary>
    public OpResult ReadSmallFiles(string dirPath, int count, int size)
    {
        var dir = Walk(dirPath, out _);
        try
        {
            byte[] buffer = new byte[size];
            Span<byte> name = stackalloc byte[NameLength + 1];
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                FormatName(name, i);
                Check(_ll.Lookup(dir, name, out var inode, out _, StatxMask.BasicStats, AtFlags.None, _perms),
                    "lookup", dirPath, name);
                try
                {
                    Check(_ll.Open(inode, OpenFlags.ReadOnly, out var fh, _perms), "open", dirPath, name);
                    try
                    {
                        int got = 0;
                        while (got < size)
                        {
                            int n = _ll.Read(fh, got, buffer.AsSpan(got));
                            Check(n, "read", dirPath, name);
                            if (n == 0)
                                throw new DirectFailure($"read {dirPath}/{Encoding.ASCII.GetString(name[..NameLength])}: file shorter than {size} bytes");
                            got += n;
                        }
                    }
                    finally
                    {
                        _ll.Close(fh);
                    }
                }
                finally
                {
                    _ll.Put(inode);
                }
            }
            return new OpResult(count, (long)count * size, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    /// <summary>`ls -l` without the kernel: readdirplus of the whole directory with the attributes stat(2)
    /// gives. Ops = entries other than "." and "..".</summary>
    public OpResult ListLong(string dirPath)
    {
        var dir = Walk(dirPath, out _);
        try
        {
            var watch = Stopwatch.StartNew();
            Check(_ll.OpenDir(dir, out var handle, _perms), "opendir", dirPath);
            long entries = 0;
            try
            {
                for (;;)
                {
                    int r = _ll.ReadDirPlus(handle, out var entry, out _, StatxMask.BasicStats, AtFlags.None);
                    Check(r, "readdirplus", dirPath);
                    if (r == 0)
                        break;
                    if (!IsDotOrDotDot(entry.Name))
                        entries++;
                }
            }
            finally
            {
                _ll.ReleaseDir(handle);
            }
            return new OpResult(entries, 0, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(dir);
        }
    }

    // ---- setup ---------------------------------------------------------------------------------------

    /// <summary>The file's size, or -1 when it does not exist.</summary>
    public long FileSize(string file)
    {
        int r = _ll.Walk(Utf8(Full(file)), out var inode, out var attr, StatxMask.Size, AtFlags.None, _perms);
        if (r == -Errno.ENOENT)
            return -1;
        Check(r, "walk", file);
        _ll.Put(inode);
        return (long)attr.Size;
    }

    /// <summary>rm -rf: a file or a directory tree; nothing to do when it does not exist.</summary>
    public OpResult Remove(string path)
    {
        var watch = Stopwatch.StartNew();
        string full = Full(path);
        int slash = full.LastIndexOf('/');
        string parentPath = slash == 0 ? "/" : full[..slash];
        int r = _ll.Walk(Utf8(parentPath), out var parent, out _, StatxMask.None, AtFlags.None, _perms);
        if (r == -Errno.ENOENT)
            return new OpResult(0, 0, watch.Elapsed.TotalSeconds);
        Check(r, "walk", parentPath);
        try
        {
            long removed = RemoveEntry(parent, Utf8(full[(slash + 1)..]), full);
            return new OpResult(removed, 0, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            _ll.Put(parent);
        }
    }

    private long RemoveEntry(InodePtr parent, byte[] name, string fullPath)
    {
        int r = _ll.Lookup(parent, name, out var inode, out var attr, StatxMask.Mode, AtFlags.SymlinkNoFollow, _perms);
        if (r == -Errno.ENOENT)
            return 0;
        Check(r, "lookup", fullPath);
        long removed = 0;
        try
        {
            if (!UnixMode.IsDirectory(attr.Mode))
            {
                Check(_ll.Unlink(parent, name, _perms), "unlink", fullPath);
                return 1;
            }
            var children = new List<byte[]>();
            Check(_ll.OpenDir(inode, out var handle, _perms), "opendir", fullPath);
            try
            {
                for (;;)
                {
                    int n = _ll.ReadDirPlus(handle, out var entry, out _, StatxMask.None, AtFlags.None);
                    Check(n, "readdir", fullPath);
                    if (n == 0)
                        break;
                    if (!IsDotOrDotDot(entry.Name))
                        children.Add(entry.Name.ToArray());
                }
            }
            finally
            {
                _ll.ReleaseDir(handle);
            }
            foreach (byte[] child in children)
                removed += RemoveEntry(inode, child, fullPath + "/" + Encoding.UTF8.GetString(child));
        }
        finally
        {
            _ll.Put(inode);
        }
        Check(_ll.RmDir(parent, name, _perms), "rmdir", fullPath);
        return removed + 1;
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private string Full(string relative) => relative is "" or "." ? _root : $"{_root}/{relative.Trim('/')}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Filled(int size)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        buffer.AsSpan().Fill(0x5a);
        return buffer;
    }

    /// <summary>f0000000-style name (NUL-terminated, so libcephfs gets it without a copy).</summary>
    private static void FormatName(Span<byte> name, int index)
    {
        name[0] = (byte)'f';
        for (int p = NameLength - 1; p >= 1; p--)
        {
            name[p] = (byte)('0' + index % 10);
            index /= 10;
        }
        name[NameLength] = 0;
    }

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("."u8) || name.SequenceEqual(".."u8);

    private int WriteAll(FhPtr fh, long offset, ReadOnlySpan<byte> data, string what)
    {
        int done = 0;
        while (done < data.Length)
        {
            int n = _ll.Write(fh, offset + done, data[done..]);
            Check(n, "write", what);
            done += n;
        }
        return done;
    }

    /// <summary>Resolves a path under the root. +1 reference.</summary>
    private InodePtr Walk(string relative, out CephStatx attr)
    {
        string full = Full(relative);
        Check(_ll.Walk(Utf8(full), out var inode, out attr, StatxMask.BasicStats, AtFlags.None, _perms), "walk", full);
        return inode;
    }

    /// <summary>The parent directory of a file path (made when <paramref name="create"/>) and the file's name.</summary>
    private (InodePtr Dir, byte[] Name) OpenParent(string file, bool create)
    {
        string full = Full(file);
        int slash = full.LastIndexOf('/');
        string parent = slash == 0 ? "/" : full[..slash];
        InodePtr dir;
        if (create)
        {
            dir = MakeDirs(parent);
        }
        else
        {
            Check(_ll.Walk(Utf8(parent), out dir, out _, StatxMask.None, AtFlags.None, _perms), "walk", parent);
        }
        return (dir, Utf8(full[(slash + 1)..]));
    }

    /// <summary>mkdir -p of an absolute path. +1 reference on the last directory.</summary>
    private InodePtr MakeDirs(string absolute)
    {
        Check(_ll.LookupRoot(out var current), "lookup root", "/");
        foreach (string part in absolute.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            byte[] name = Utf8(part);
            int r = _ll.Lookup(current, name, out var next, out _, StatxMask.None, AtFlags.None, _perms);
            if (r == -Errno.ENOENT)
                r = _ll.MkDir(current, name, DirMode, out next, out _, StatxMask.None, AtFlags.None, _perms);
            if (r == -Errno.EEXIST)
                r = _ll.Lookup(current, name, out next, out _, StatxMask.None, AtFlags.None, _perms);
            _ll.Put(current);
            Check(r, "mkdir", absolute);
            current = next;
        }
        return current;
    }

    private static void Check(int result, string call, string path)
    {
        if (result < 0)
            throw new DirectFailure($"{call} {path}: {Errno.Name(-result)} ({Errno.Message(-result)})");
    }

    private static void Check(int result, string call, string dir, ReadOnlySpan<byte> name)
    {
        if (result < 0)
        {
            string file = Encoding.UTF8.GetString(name.IndexOf((byte)0) is var end and >= 0 ? name[..end] : name);
            throw new DirectFailure($"{call} {dir}/{file}: {Errno.Name(-result)} ({Errno.Message(-result)})");
        }
    }
}
