using System.Diagnostics;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// Reference accounting, checked against libcephfs itself: after a workload, once the kernel has dropped its
/// caches (and so sent FORGET for everything), the daemon holds no ll reference beyond the mount root's — the
/// client's own <c>dump_cache</c> (admin socket) shows every cached inode with its ll_ref.
/// </summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class ReferenceTests(CephMounts mounts)
{
    [Fact]
    public void AfterAWorkloadAndForgetNothingStaysReferenced()
    {
        string volume = mounts.NewDirectory("refs");
        DaemonMount mount = DaemonMount.Ours();
        try
        {
            long baseline = HeldReferences(mount);
            Workload(mount, volume);
            // Something is held now: the kernel looked all of that up.
            Assert.True(HeldReferences(mount) > baseline + 100, "the workload left no lookups: it did not run through the mount");

            // Make the kernel forget every inode it does not use (FORGET / BATCH_FORGET for each).
            DropKernelCaches();
            var clock = Stopwatch.StartNew();
            long held;
            while ((held = HeldReferences(mount)) != baseline && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(500);
                DropKernelCaches();
            }
            var leftovers = Ceph.CachedInodes(mount.AdminSocket).Where(i => i.LlRef > 0).ToList();
            Assert.True(held == baseline, $"{held} ll references held, {baseline} after mounting; still referenced: " +
                string.Join(", ", leftovers.Select(i => $"{i.Ino}@{i.Snap}={i.LlRef} {i.Path}")));

            // and the mount still works afterwards (nothing was released that was still needed)
            Assert.Equal(200, Directory.GetFiles(mount[Path.Combine(volume, "files")]).Length);
        }
        finally
        {
            mount.Dispose();
        }
    }

    [Fact]
    public void OpenFilesAndDirectoriesKeepTheirInodesUntilClosed()
    {
        string volume = mounts.NewDirectory("refs-open");
        DaemonMount mount = DaemonMount.Ours();
        try
        {
            long baseline = HeldReferences(mount);
            string path = mount[Path.Combine(volume, "open")];
            File.WriteAllText(path, "x");
            int fd = Sys.Check(Sys.Open(path, Sys.O_RDONLY), "open");
            try
            {
                File.Delete(path); // open and unlinked: the kernel keeps its inode, so do we
                DropKernelCaches();
                Thread.Sleep(500);
                Assert.True(HeldReferences(mount) > baseline, "an open file lost its reference");
                var buffer = new byte[1];
                Assert.Equal(1, Sys.PRead(fd, buffer, 0));
            }
            finally
            {
                Sys.Close(fd);
            }
            var clock = Stopwatch.StartNew();
            long held;
            do
            {
                DropKernelCaches();
                Thread.Sleep(300);
                held = HeldReferences(mount);
            }
            while (held != baseline && clock.Elapsed < TimeSpan.FromSeconds(15));
            Assert.Equal(baseline, held);
        }
        finally
        {
            mount.Dispose();
        }
    }

    /// <summary>Everything that hands the kernel node IDs: LOOKUP, CREATE, MKDIR, MKNOD, SYMLINK, LINK,
    /// READDIRPLUS (also of .snap), renames, unlinks, snapshots, failures.</summary>
    private static void Workload(DaemonMount mount, string volume)
    {
        string files = mount[Path.Combine(volume, "files")];
        Directory.CreateDirectory(files);
        for (int i = 0; i < 200; i++)
            File.WriteAllText(Path.Combine(files, $"f{i}"), $"{i}");
        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(200, Directory.GetFiles(files).Length);
            Run.Command("/bin/ls", ["-lR", mount[volume]], TimeSpan.FromSeconds(60)); // READDIRPLUS with lookups
        }
        string misc = mount[Path.Combine(volume, "misc")];
        Directory.CreateDirectory(Path.Combine(misc, "a", "b", "c"));
        File.WriteAllText(Path.Combine(misc, "a", "file"), "x");
        Sys.Check(Sys.Link(Path.Combine(misc, "a", "file"), Path.Combine(misc, "hard")), "link");
        File.CreateSymbolicLink(Path.Combine(misc, "sym"), "a/file");
        Sys.Check(Sys.Mknod(Path.Combine(misc, "fifo"), Sys.S_IFIFO | 0x1A4, 0), "mkfifo");
        File.Move(Path.Combine(misc, "a", "file"), Path.Combine(misc, "a", "b", "moved"));
        Directory.Move(Path.Combine(misc, "a", "b"), Path.Combine(misc, "b2"));
        File.Delete(Path.Combine(misc, "hard"));
        Assert.Equal(-1, Sys.Open(Path.Combine(misc, "missing"), Sys.O_RDONLY)); // failed lookups hold nothing
        Assert.Equal(-1, Sys.Mkdir(Path.Combine(misc, "b2"), 0x1ED));
        // a snapshot: .snap, the snapshot directory, inodes inside it (tagged node IDs)
        Directory.CreateDirectory(Path.Combine(misc, ".snap", "s1"));
        Assert.Equal("x", File.ReadAllText(Path.Combine(misc, ".snap", "s1", "b2", "moved")));
        Run.Command("/bin/ls", ["-lR", Path.Combine(misc, ".snap")], TimeSpan.FromSeconds(60));
        Directory.Delete(Path.Combine(misc, ".snap", "s1"));
        // many files open at once, then closed
        var fds = new List<int>();
        for (int i = 0; i < 50; i++)
            fds.Add(Sys.Check(Sys.Open(Path.Combine(files, $"f{i}"), Sys.O_RDONLY), "open"));
        foreach (int fd in fds)
            Sys.Close(fd);
        for (int i = 100; i < 150; i++)
            File.Delete(Path.Combine(files, $"f{i}"));
        for (int i = 100; i < 150; i++)
            File.WriteAllText(Path.Combine(files, $"f{i}"), "again");
    }

    /// <summary>Sum of the ll references the daemon's libcephfs holds (dump_cache on its admin socket).</summary>
    private static long HeldReferences(DaemonMount mount) => Ceph.CachedInodes(mount.AdminSocket).Sum(i => i.LlRef);

    private static void DropKernelCaches()
    {
        // (no sync: this mount writes through, and a sync would wait on every other file system of the machine)
        File.WriteAllText("/proc/sys/vm/drop_caches", "2");
    }
}
