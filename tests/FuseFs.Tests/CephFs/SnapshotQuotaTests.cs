using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using ManagedCephFuse.TestSupport;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>Snapshots through <c>.snap</c>, and quotas as a CSI volume meets them (df, EDQUOT).</summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed class SnapshotQuotaTests(CephMounts mounts)
{
    [Fact]
    public void SnapshotsAreMadeListedReadAndRemoved()
    {
        DaemonMount ours = mounts.Ours;
        string dir = mounts.NewDirectory("snap");
        string file = ours[Path.Combine(dir, "f")];
        File.WriteAllText(file, "before");
        Directory.CreateDirectory(ours[Path.Combine(dir, "sub")]);
        Directory.CreateDirectory(ours[Path.Combine(dir, ".snap", "first")]);
        File.WriteAllText(file, "after the snapshot");

        Assert.Equal(["first"], Directory.GetDirectories(ours[Path.Combine(dir, ".snap")]).Select(Path.GetFileName));
        Assert.Equal("before", File.ReadAllText(ours[Path.Combine(dir, ".snap", "first", "f")]));
        Assert.Equal("after the snapshot", File.ReadAllText(file));
        Assert.True(Directory.Exists(ours[Path.Combine(dir, ".snap", "first", "sub")]));
        // ceph-fuse sees the same snapshot and content
        Assert.Equal("before", File.ReadAllText(mounts.CephFuse[Path.Combine(dir, ".snap", "first", "f")]));
        // a snapshot is read-only, and its files are other files than the live ones (inode numbers differ)
        Assert.Equal(EROFS, Errno(() => Sys.Open(ours[Path.Combine(dir, ".snap", "first", "f")], Sys.O_WRONLY)));
        Assert.NotEqual(Sys.StatOrThrow(file).Ino, Sys.StatOrThrow(ours[Path.Combine(dir, ".snap", "first", "f")]).Ino);
        // a snapshot made elsewhere shows up here
        Directory.CreateDirectory(mounts.CephFuse[Path.Combine(dir, ".snap", "second")]);
        Assert.Contains("second", Directory.GetDirectories(ours[Path.Combine(dir, ".snap")]).Select(Path.GetFileName));
        Assert.Equal("after the snapshot", File.ReadAllText(ours[Path.Combine(dir, ".snap", "second", "f")]));

        Directory.Delete(ours[Path.Combine(dir, ".snap", "first")]);
        Directory.Delete(ours[Path.Combine(dir, ".snap", "second")]);
        Assert.Empty(Directory.GetDirectories(ours[Path.Combine(dir, ".snap")]));
        Assert.Equal(ENOENT, Sys.StatErrno(ours[Path.Combine(dir, ".snap", "first", "f")]));
    }

    [Fact]
    public void SnapshotsNeedTheSnapshotCap()
    {
        // fsuser was made with "fs authorize ... / rw": no 's', so mkdir in .snap is refused (EACCES, as ceph-fuse)
        ClusterEnv cluster = ClusterEnv.Current;
        string dir = mounts.NewDirectory("snapcap");
        DaemonMount user = DaemonMount.Ours(root: "/" + dir, id: cluster.UserId, keyFile: cluster.UserKeyFile);
        try
        {
            File.WriteAllText(user["f"], "user data");
            Assert.Equal(-1, Sys.Mkdir(user[Path.Combine(".snap", "s")], 0x1ED));
            Assert.Equal(EACCES, Sys.Errno);
            Assert.Equal("user data", File.ReadAllText(mounts.Ours[Path.Combine(dir, "f")]));
        }
        finally
        {
            user.Dispose();
        }
    }

    [Fact]
    public void AQuotaRootIsTheSizeDfShowsAndWritesPastItFail()
    {
        const long Quota = 48L << 20; // a multiple of the 4 MiB statfs block
        string volume = mounts.NewDirectory("quota");
        Sys.Check(Sys.SetXattr(mounts.Ours[volume], "ceph.quota.max_bytes", System.Text.Encoding.ASCII.GetBytes(Quota.ToString(System.Globalization.CultureInfo.InvariantCulture))), "set quota");
        // mounted at the quota root, as a CSI volume (a subvolume with a quota) is
        DaemonMount pvc = DaemonMount.Ours(root: "/" + volume);
        DaemonMount reference = DaemonMount.CephFuse(root: "/" + volume);
        try
        {
            var st = Sys.StatVfs(pvc.MountPoint);
            Assert.Equal((ulong)Quota, st.Blocks * st.FragmentSize);
            CommandResult df = Run.Command("/bin/df", ["-B1", "--output=size", pvc.MountPoint], TimeSpan.FromSeconds(30));
            Assert.Equal(Quota.ToString(System.Globalization.CultureInfo.InvariantCulture), df.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim());

            // fill it: writes past the quota fail with EDQUOT
            int fd = Sys.Check(Sys.Open(pvc["big"], Sys.O_CREAT | Sys.O_WRONLY), "open");
            var chunk = new byte[1 << 20];
            long written = 0;
            int errno = 0;
            try
            {
                for (int i = 0; i < 200; i++)
                {
                    int n = Sys.PWrite(fd, chunk, written);
                    if (n < 0)
                    {
                        errno = Sys.Errno;
                        break;
                    }
                    written += n;
                    if (i % 8 == 7)
                        Sys.Fsync(fd); // let the MDS account what was written
                }
            }
            finally
            {
                Sys.Close(fd);
            }
            Assert.Equal(EDQUOT, errno);
            Assert.InRange(written, Quota - (8L << 20), Quota + (16L << 20)); // Ceph enforces quotas loosely

            // df shows the quota used, as ceph-fuse's does
            var used = Sys.StatVfs(pvc.MountPoint);
            Assert.True(used.BlocksFree * used.FragmentSize < (8UL << 20), $"{used.BlocksFree} blocks still free");
            var theirs = Sys.StatVfs(reference.MountPoint);
            Assert.Equal(theirs.Blocks, used.Blocks);
        }
        finally
        {
            pvc.Dispose();
            reference.Dispose();
        }
    }

    private static int Errno(Func<int> call)
    {
        int r = call();
        if (r >= 0)
        {
            Sys.Close(r);
            return 0;
        }
        return Sys.Errno;
    }
}
