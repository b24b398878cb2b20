using ManagedCephFuse.FuseFs.Kernel;
using ManagedCephFuse.FuseFs.Kernel.Abi;
using ManagedCephFuse.FuseFs.Memory;
using ManagedCephFuse.FuseFs.Tests.Support;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;
using static ManagedCephFuse.FuseFs.Tests.Support.Posix;

namespace ManagedCephFuse.FuseFs.Tests.Kernel;

/// <summary>The session against the real kernel: INIT, concurrency, unmount, lookup references, notifications.</summary>
[Trait("Category", "Kernel")]
public sealed class SessionTests
{
    [Fact]
    public void InitNegotiatesTheKernelsMinorAndOneMebibyteRequests()
    {
        using var mount = new MemoryMount();
        FuseConnectionInfo connection = mount.Session.Connection!;
        Assert.Equal(7U, connection.KernelMajor);
        Assert.True(connection.KernelMinor >= 38);
        Assert.Equal(Math.Min(connection.KernelMinor, FuseProtocol.KernelMinorVersion), connection.ProtocolMinor);
        Assert.True(connection.Has(FuseInitFlags.MaxPages | FuseInitFlags.DoReaddirplus | FuseInitFlags.ParallelDirops |
            FuseInitFlags.AsyncRead | FuseInitFlags.PosixLocks | FuseInitFlags.FlockLocks | FuseInitFlags.AtomicOTrunc));
        Assert.False(connection.Has(FuseInitFlags.WritebackCache));
        Assert.Equal(1U << 20, connection.MaxWrite);
        Assert.Equal(256, connection.MaxPages);
        // /proc/mounts reads like a FUSE file system of its own type
        string line = File.ReadAllLines("/proc/mounts").Single(l => l.Split(' ')[1] == mount.Path);
        Assert.StartsWith($"managed-memfs {mount.Path} fuse.managed-memfs ", line, StringComparison.Ordinal);
        Assert.Contains("allow_other", line, StringComparison.Ordinal);
        // the read-ahead window was raised after INIT (INIT itself can only lower it)
        string device = FuseMount.DeviceNumber(mount.Path)!;
        Assert.Equal("4096", File.ReadAllText($"/sys/class/bdi/{device}/read_ahead_kb").Trim());
        // 1 MiB writes reach the file system as one request each (direct I/O bypasses the page cache)
        int fd = (int)Check(Open(mount["big"], O_CREAT | O_RDWR | O_DIRECT), "open O_DIRECT");
        nint buffer = System.Runtime.InteropServices.Marshal.AllocHGlobal((1 << 20) + 4096);
        try
        {
            nint aligned = (buffer + 4095) & ~4095;
            unsafe
            {
                new Span<byte>((void*)aligned, 1 << 20).Fill(0x5A);
                Assert.Equal(1 << 20, PWrite(fd, new ReadOnlySpan<byte>((void*)aligned, 1 << 20), 0));
                Assert.Equal(1 << 20, PRead(fd, new Span<byte>((void*)aligned, 1 << 20), 0));
            }
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.FreeHGlobal(buffer);
            Close(fd);
        }
    }

    [Fact]
    public void WritebackCacheIsNegotiatedOnRequestAndDataSurvives()
    {
        using var mount = new MemoryMount(writebackCache: true);
        Assert.True(mount.Session.Connection!.Has(FuseInitFlags.WritebackCache));
        var data = new byte[3_000_000];
        new Random(5).NextBytes(data);
        File.WriteAllBytes(mount["wb"], data);
        using (var append = new FileStream(mount["wb"], FileMode.Append))
            append.Write("tail"u8);
        byte[] back = File.ReadAllBytes(mount["wb"]);
        Assert.Equal(data.Length + 4, back.Length);
        Assert.True(back.AsSpan(0, data.Length).SequenceEqual(data));
        Assert.Empty(mount.Log.Problems);
    }

    [Fact]
    public void ManyThreadsOnManyFiles()
    {
        using var mount = new MemoryMount();
        const int threads = 16, files = 40;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            try
            {
                Directory.CreateDirectory(mount[$"t{t}"]);
                for (int f = 0; f < files; f++)
                {
                    var content = new byte[random.Next(1, 300_000)];
                    random.NextBytes(content);
                    string path = mount[$"t{t}/f{f}"];
                    File.WriteAllBytes(path, content);
                    if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
                        failures.Enqueue($"{path} differs");
                    if (f % 3 == 0)
                        File.Move(path, path + ".moved");
                }
                if (Directory.GetFiles(mount[$"t{t}"]).Length != files)
                    failures.Enqueue($"t{t} lists the wrong number of files");
            }
            catch (Exception e)
            {
                failures.Enqueue($"thread {t}: {e.Message}");
            }
        })).ToArray();
        foreach (Thread worker in workers)
            worker.Start();
        foreach (Thread worker in workers)
            Assert.True(worker.Join(TimeSpan.FromMinutes(2)));
        Assert.Empty(failures);
        Assert.Empty(mount.Log.Problems);
    }

    [Fact]
    public void ReaddirOfTenThousandEntriesWhileCreatingAndDeleting()
    {
        using var mount = new MemoryMount();
        string dir = mount["big"];
        Directory.CreateDirectory(dir);
        for (int i = 0; i < 10_000; i++)
            File.WriteAllBytes(Path.Combine(dir, $"n{i:D5}"), []);
        var seen = new List<string>();
        var changer = new Thread(() =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"new{i:D5}"), []);
                File.Delete(Path.Combine(dir, $"n{i * 5 + 1:D5}")); // deletes names ending in 1 and 6
            }
        });
        using (IEnumerator<string> listing = Directory.EnumerateFileSystemEntries(dir).GetEnumerator())
        {
            bool started = false;
            while (listing.MoveNext())
            {
                seen.Add(Path.GetFileName(listing.Current));
                if (!started && seen.Count == 100)
                {
                    changer.Start();
                    started = true;
                }
            }
        }
        Assert.True(changer.Join(TimeSpan.FromMinutes(2)));
        // POSIX: an entry neither added nor removed during the listing shows up exactly once
        var duplicates = seen.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        var stable = Enumerable.Range(0, 10_000).Where(i => i % 5 != 1 || i > 9_996).Select(i => $"n{i:D5}");
        Assert.Empty(stable.Except(seen));
        Assert.Equal(10_000 - 2_000 + 2_000, Directory.GetFileSystemEntries(dir).Length);
        // READDIRPLUS handed out lookup references; a plain listing of the final state is complete too
        Assert.Equal(8_000, Directory.GetFileSystemEntries(dir).Count(p => !Path.GetFileName(p).StartsWith("new", StringComparison.Ordinal)));
        Assert.Empty(mount.Log.Problems);
    }

    [Fact]
    public void UnmountWhileBusyFailsThenSucceedsAndEndsTheSession()
    {
        var fs = new DestroyCountingFileSystem();
        var mountPoint = Directory.CreateTempSubdirectory("mcf-mnt-").FullName;
        var session = FuseSession.Mount(fs, new FuseMountOptions { MountPoint = mountPoint, FsName = "managed-memfs", Subtype = "managed-memfs" }, new TestLogger());
        try
        {
            session.Start();
            Assert.True(session.WaitForInit(TimeSpan.FromSeconds(10)));
            int fd = (int)Check(Open(Path.Combine(mountPoint, "open"), O_CREAT | O_RDWR), "open");
            Assert.Equal(EBUSY, session.Unmount(lazy: false));
            Assert.Equal(1, Write(fd, "x"u8)); // still served
            Close(fd);
            Assert.Equal(0, session.Unmount(lazy: false));
            Assert.True(session.Wait(TimeSpan.FromSeconds(10)), "the readers did not see ENODEV");
            Assert.Equal(ENODEV, session.EndErrno);
            Assert.Equal(1, fs.Destroyed);
            Assert.DoesNotContain(File.ReadAllLines("/proc/mounts"), l => l.Contains(mountPoint, StringComparison.Ordinal));
        }
        finally
        {
            session.Dispose();
            Directory.Delete(mountPoint);
        }
    }

    [Fact]
    public void LazyUnmountWhileBusyKeepsServingOpenFilesUntilClosed()
    {
        var mountPoint = Directory.CreateTempSubdirectory("mcf-mnt-").FullName;
        var session = FuseSession.Mount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = mountPoint }, new TestLogger());
        try
        {
            session.Start();
            Assert.True(session.WaitForInit(TimeSpan.FromSeconds(10)));
            int fd = (int)Check(Open(Path.Combine(mountPoint, "f"), O_CREAT | O_RDWR), "open");
            Assert.Equal(0, session.Unmount(lazy: true));
            Assert.DoesNotContain(File.ReadAllLines("/proc/mounts"), l => l.Contains(mountPoint, StringComparison.Ordinal));
            Assert.Equal(5, PWrite(fd, "hello"u8, 0));
            var back = new byte[5];
            Assert.Equal(5, PRead(fd, back, 0));
            Assert.False(session.HasEnded);
            Close(fd);
            Assert.True(session.Wait(TimeSpan.FromSeconds(10)), "the session did not end once the last file closed");
        }
        finally
        {
            session.Dispose();
            Directory.Delete(mountPoint);
        }
    }

    [Fact]
    public void LookupReferencesReturnToZeroWhenTheKernelForgets()
    {
        using var mount = new MemoryMount();
        for (int i = 0; i < 200; i++)
        {
            Directory.CreateDirectory(mount[$"d{i}"]);
            File.WriteAllText(mount[$"d{i}/f"], "x");
            Check(Link(mount[$"d{i}/f"], mount[$"d{i}/g"]), "link");
        }
        Assert.Equal(600, Directory.EnumerateFileSystemEntries(mount.Path, "*", SearchOption.AllDirectories).Count());
        for (int i = 0; i < 100; i++)
            Directory.Delete(mount[$"d{i}"], recursive: true);
        Assert.True(mount.FileSystem.LookupReferences > 0);
        // Drop the kernel's dentries and inodes: it sends FORGET / BATCH_FORGET for all of them.
        File.WriteAllText("/proc/sys/vm/drop_caches", "2");
        for (int wait = 0; wait < 100 && mount.FileSystem.LookupReferences != 0; wait++)
            Thread.Sleep(50);
        Assert.Equal(0UL, mount.FileSystem.LookupReferences);
        // what remains: the root and the 100 directories with one file (two names) each
        Assert.Equal(1 + 100 * 2, mount.FileSystem.NodeCount);
        Assert.Equal("x", File.ReadAllText(mount["d150/g"]));
        Assert.Empty(mount.Log.Problems);
    }

    [Fact]
    public void NotificationsMakeTheKernelDropWhatItCached()
    {
        // Long timeouts: without notifications the kernel would keep serving its cached view.
        var options = new MemoryFileSystemOptions { EntryTimeout = TimeSpan.FromMinutes(5), AttrTimeout = TimeSpan.FromMinutes(5) };
        using var mount = new MemoryMount(options);
        FuseNotifier notifier = mount.Session.Notifier;
        MemoryFileSystem fs = mount.FileSystem;
        FuseRequestContext root = FuseRequestContext.ForCaller(0, 0);
        File.WriteAllText(mount["gone"], "1");
        File.WriteAllText(mount["moved"], "2");
        File.WriteAllText(mount["data"], "old-contents");
        ulong goneNode = Stat(mount["gone"]).Ino;
        Stat(mount["moved"]);
        Assert.Equal("old-contents", File.ReadAllText(mount["data"]));

        // behind the kernel's back: unlink, rename, rewrite
        Assert.Equal(0, fs.Unlink(root, new UnlinkRequest(FuseProtocol.RootId, "gone"u8)));
        Assert.Equal(0, fs.Rename(root, new RenameRequest(FuseProtocol.RootId, "moved"u8, FuseProtocol.RootId, "renamed"u8, RenameFlags.None)));
        ulong dataNode = Stat(mount["data"]).Ino;
        FuseOpenOut open = default;
        Assert.Equal(0, fs.Open(root, new OpenRequest(dataNode, O_RDWR, false), ref open));
        Assert.Equal(0, fs.Write(root, new WriteRequest(dataNode, open.Fh, 0, "NEW-contents"u8, FuseWriteFlags.None, O_RDWR, null), out _));
        fs.Release(root, new ReleaseRequest(dataNode, open.Fh, 0, FuseReleaseFlags.None, 0));

        Assert.Equal(0, StatX(mount["gone"], out _)); // still cached
        Assert.Equal("old-contents", File.ReadAllText(mount["data"])); // page cache kept (KEEP_CACHE)

        Assert.Equal(0, notifier.Delete(FuseProtocol.RootId, goneNode, "gone"u8));
        Assert.Equal(0, notifier.InvalidateEntry(FuseProtocol.RootId, "moved"u8));
        Assert.Equal(0, notifier.InvalidateInode(dataNode));
        Assert.Equal(-1, StatX(mount["gone"], out _));
        Assert.Equal(ENOENT, Errno);
        Assert.Equal(-1, StatX(mount["moved"], out _));
        Assert.Equal(ENOENT, Errno);
        Assert.Equal("2", File.ReadAllText(mount["renamed"]));
        Assert.Equal("NEW-contents", File.ReadAllText(mount["data"]));
        Assert.Equal(ENOENT, notifier.InvalidateEntry(FuseProtocol.RootId, "never-looked-up"u8));
        // 6.18 offers RESEND (7.40) and PRUNE (7.45): nothing is pending, so the resend is a no-op; pruning an
        // unused cached inode makes the kernel forget it
        Assert.True(notifier.CanResend);
        Assert.Equal(0, notifier.Resend());
        ulong renamedNode = Stat(mount["renamed"]).Ino;
        Assert.Equal(0, notifier.Prune([renamedNode]));
        Assert.Equal("2", File.ReadAllText(mount["renamed"]));
        Assert.Empty(mount.Log.Problems);
    }

    private sealed class DestroyCountingFileSystem : IFuseFileSystem
    {
        private readonly MemoryFileSystem _inner = new();
        public int Destroyed { get; private set; }

        public void Destroy() => Destroyed++;
        public int Lookup(FuseRequestContext c, LookupRequest r, ref FuseEntryOut e) => _inner.Lookup(c, r, ref e);
        public void Forget(ReadOnlySpan<FuseForgetOne> nodes) => _inner.Forget(nodes);
        public int GetAttr(FuseRequestContext c, GetAttrRequest r, ref FuseAttrOut a) => _inner.GetAttr(c, r, ref a);
        public int Create(FuseRequestContext c, CreateRequest r, ref FuseEntryOut e, ref FuseOpenOut o) => _inner.Create(c, r, ref e, ref o);
        public int Write(FuseRequestContext c, WriteRequest r, out int n) => _inner.Write(c, r, out n);
        public int SetAttr(FuseRequestContext c, SetAttrRequest r, ref FuseAttrOut a) => _inner.SetAttr(c, r, ref a);
        public int Release(FuseRequestContext c, ReleaseRequest r) => _inner.Release(c, r);
    }
}
