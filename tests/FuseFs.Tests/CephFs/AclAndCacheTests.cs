using System.Diagnostics;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using Xunit;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>POSIX ACLs (client_acl_type=posix_acl) and keeping the kernel's cache (and libcephfs's) bounded.</summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class AclAndCacheTests(CephMounts mounts)
{
    [Fact]
    public void PosixAclsGrantDenyAndAreInheritedWithoutTheUmask()
    {
        string dir = mounts.NewDirectory("acl");
        DaemonMount mount = DaemonMount.Ours(root: "/" + dir, extra: ["--client_acl_type=posix_acl"]);
        try
        {
            Sys.Check(Sys.Chmod(mount.MountPoint, 0x1ED), "chmod 0755");
            string f = mount["f"];
            File.WriteAllText(f, "secret");
            Sys.Check(Sys.Chmod(f, 0x180), "chmod 0600");
            Assert.NotEqual(0, OperationTests.AsNobody($"cat {f}").ExitCode);
            Assert.Equal(0, Run.Command("/usr/bin/setfacl", ["-m", "u:65534:r", f], TimeSpan.FromSeconds(30)).ExitCode);
            // the kernel enforces the named-user entry (FUSE_POSIX_ACL)
            Assert.Equal("secret", OperationTests.AsNobody($"cat {f}").StandardOutput);
            Assert.Contains("user:nobody:r--", Run.Checked("/usr/bin/getfacl", "-p", f), StringComparison.Ordinal);
            // the ACL is stored in CephFS: another mount with ACLs on reads the same one
            DaemonMount second = DaemonMount.Ours(root: "/" + dir, extra: ["--client_acl_type=posix_acl"]);
            try
            {
                Assert.Contains("user:nobody:r--", Run.Checked("/usr/bin/getfacl", "-p", second["f"]), StringComparison.Ordinal);
            }
            finally
            {
                second.Dispose();
            }
            Assert.Equal(0, Run.Command("/usr/bin/setfacl", ["-x", "u:65534", f], TimeSpan.FromSeconds(30)).ExitCode);
            Assert.NotEqual(0, OperationTests.AsNobody($"cat {f}").ExitCode);

            // a default ACL is inherited, and then the umask does not apply (libcephfs does that part)
            string d = mount["d"];
            Directory.CreateDirectory(d);
            Assert.Equal(0, Run.Command("/usr/bin/setfacl", ["-m", "u:65534:rwx", "-d", "-m", "u:65534:rwx", d], TimeSpan.FromSeconds(30)).ExitCode);
            Assert.Equal(0, OperationTests.AsNobody($"umask 077 && echo hi > {d}/inherited").ExitCode);
            string acl = Run.Checked("/usr/bin/getfacl", "-p", Path.Combine(d, "inherited"));
            Assert.Contains("user:nobody:rwx", acl, StringComparison.Ordinal);
            Assert.Contains("mask::rw-", acl, StringComparison.Ordinal);
            // elsewhere the umask applies
            Assert.Equal(0, Run.Shell($"umask 077 && touch {mount["plain"]} && mkdir {mount["plaindir"]}").ExitCode);
            Assert.Equal(0x180U, Sys.StatOrThrow(mount["plain"]).Mode & 0xFFF);
            Assert.Equal(0x1C0U, Sys.StatOrThrow(mount["plaindir"]).Mode & 0xFFF);
        }
        finally
        {
            mount.Dispose();
        }
    }

    [Fact]
    public void PastTheCacheSizeIdleNodesAreHandedBack()
    {
        // client_cache_size bounds libcephfs's inode cache; the kernel pins inodes it caches (one reference per
        // lookup), so past that size the daemon asks the kernel to drop idle ones (NOTIFY_PRUNE) — what
        // ceph-fuse does with a remount — and the references come back without anyone dropping caches.
        string volume = mounts.NewDirectory("prune");
        DaemonMount mount = DaemonMount.Ours(extra: ["--client_cache_size=200"]);
        try
        {
            string dir = mount[volume];
            for (int i = 0; i < 1500; i++)
                File.WriteAllText(Path.Combine(dir, $"f{i}"), "x");
            Run.Command("/bin/ls", ["-l", dir], TimeSpan.FromSeconds(60));
            long held = Ceph.CachedInodes(mount.AdminSocket).Sum(i => i.LlRef);
            Assert.True(held > 1000, $"the kernel holds only {held} references: the workload did not reach it");
            var clock = Stopwatch.StartNew();
            while ((held = Ceph.CachedInodes(mount.AdminSocket).Sum(i => i.LlRef)) > 400 && clock.Elapsed < TimeSpan.FromSeconds(40))
                Thread.Sleep(1000);
            Assert.True(held <= 400, $"{held} references still held after {clock.Elapsed.TotalSeconds:0} s");
            // and the names still work (dropped nodes are looked up again)
            Assert.Equal("x", File.ReadAllText(Path.Combine(dir, "f7")));
            Assert.Equal(1500, Directory.GetFiles(dir).Length);
        }
        finally
        {
            mount.Dispose();
        }
    }
}
