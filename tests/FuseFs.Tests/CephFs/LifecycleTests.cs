using System.Diagnostics;
using System.Text.RegularExpressions;
using ManagedCephFuse.FuseFs.Tests.CephFs.Support;
using ManagedCephFuse.TestSupport;
using Xunit;
using static ManagedCephFuse.CephClient.Errno;

namespace ManagedCephFuse.FuseFs.Tests.CephFs;

/// <summary>
/// The daemon's life as a CSI driver and a person see it: the launcher handshake, ceph-csi v3.0.0's exact
/// invocation, failures as one line in bounded time, signals, umount, kill -9, unmount under load.
/// </summary>
[Collection(CephFsTests.Name)]
[Trait("Category", "Cluster")]
public sealed partial class LifecycleTests(CephMounts mounts)
{
    [GeneratedRegex(@"(?m)^ceph-fuse\[(.+)\]: starting fuse$")]
    private static partial Regex CsiRegex();

    [GeneratedRegex(@"^ceph-fuse\[\d+\]: ceph mount failed with \((\d+)\) (.+)$")]
    private static partial Regex MountFailedLine();

    [Fact]
    public void TheHandshakeIsTheOneCephCsiParses()
    {
        string mountPoint = Directory.CreateTempSubdirectory("mcf-hs-").FullName;
        var args = DaemonMount.Arguments(mountPoint, "/", "admin", ClusterEnv.Current.AdminKeyFile);
        try
        {
            var clock = Stopwatch.StartNew();
            // read stderr to EOF, as Go's exec does: a daemon still holding it would make this time out
            CommandResult launch = Run.Command(Repository.Binary("managed-cephfuse"), args, TimeSpan.FromSeconds(60));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the launcher took {clock.Elapsed}");
            Assert.Equal(0, launch.ExitCode);
            Match match = CsiRegex().Match(launch.StandardError);
            Assert.True(match.Success, $"no handshake line in: {launch.StandardError}");
            int pid = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Processes.IsAlive(pid), "the PID is not a live process");
            Assert.Contains("managed-cephfuse", Processes.CommandLine(pid), StringComparison.Ordinal);
            string[] fields = DaemonMount.MountsLine(mountPoint)!.Split(' ');
            Assert.Equal("ceph-fuse", fields[0]);
            Assert.Equal(mountPoint, fields[1]);
            Assert.Equal("fuse.ceph-fuse", fields[2]);
            Assert.Contains("allow_other", fields[3], StringComparison.Ordinal);
            Assert.Contains("nosuid,nodev", fields[3], StringComparison.Ordinal); // ceph-fuse's (libfuse's) defaults
            Assert.True(Directory.Exists(Path.Combine(mountPoint, ".")));
            // a later umount ends the daemon
            Assert.Equal(0, Run.Command("/bin/umount", [mountPoint], TimeSpan.FromSeconds(30)).ExitCode);
            Assert.True(Processes.WaitForExit(pid, TimeSpan.FromSeconds(15)), "the daemon outlived its umount");
            Assert.False(DaemonMount.IsMounted(mountPoint));
        }
        finally
        {
            Cleanup(mountPoint);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("noatime")]
    public void CephCsiV300InvocationMountsAndUmountEndsTheDaemon(string? fuseMountOptions)
    {
        // internal/cephfs/volumemounter.go (v3.0.0), verbatim: MP -m MONS -c CONF -n client.ID --keyfile=F -r PATH
        // -o nonempty [",OPTS" as its own argument] [--client_mds_namespace=FS]; MONS from config.json (v1 ip:port).
        ClusterEnv cluster = ClusterEnv.Current;
        string volume = mounts.NewDirectory("csi");
        File.WriteAllText(mounts.Ours[Path.Combine(volume, "existing")], "before");
        string mountPoint = Directory.CreateTempSubdirectory("mcf-csi-").FullName;
        File.WriteAllText(Path.Combine(mountPoint, "staging-leftover"), "x"); // nonempty: ceph-fuse mounts anyway
        string keyFile = TempKeyFile(ClusterEnv.ReadKey(cluster.CsiNodeKeyFile));
        var args = new List<string>
        {
            mountPoint, "-m", cluster.MonV1, "-c", cluster.ConfPath, "-n", $"client.{cluster.CsiNodeId}",
            $"--keyfile={keyFile}", "-r", "/" + volume, "-o", "nonempty",
        };
        if (fuseMountOptions is not null)
            args.Add("," + fuseMountOptions);
        args.Add($"--client_mds_namespace={cluster.FsName}");
        DaemonMount? mount = null;
        try
        {
            mount = DaemonMount.Launched(Repository.Binary("managed-cephfuse"), mountPoint, ownsMountPoint: false, args, cluster.CsiNodeId);
            Assert.Equal("before", File.ReadAllText(Path.Combine(mountPoint, "existing")));
            File.WriteAllText(Path.Combine(mountPoint, "written-by-pod"), "pod data");
            Assert.Equal("pod data", File.ReadAllText(mounts.CephFuse[Path.Combine(volume, "written-by-pod")]));
            if (fuseMountOptions == "noatime")
                Assert.Contains("noatime", DaemonMount.MountsLine(mountPoint), StringComparison.Ordinal);
            // NodeUnstageVolume: umount, then reap the PID
            Assert.True(mount.Unmount(TimeSpan.FromSeconds(15)), "the daemon outlived its umount");
            Assert.False(DaemonMount.IsMounted(mountPoint));
        }
        finally
        {
            mount?.Dispose();
            File.Delete(keyFile);
            Cleanup(mountPoint);
        }
    }

    [Fact]
    public void AWrongKeyFailsInOneLineQuickly()
    {
        string keyFile = TempKeyFile(Run.Checked("/usr/bin/ceph-authtool", "--gen-print-key").Trim());
        try
        {
            (CommandResult result, string line) = LaunchFailing(["-n", "client.admin", $"--keyfile={keyFile}"], "/", TimeSpan.FromSeconds(40));
            Match failed = MountFailedLine().Match(line);
            Assert.True(failed.Success, $"not a ceph-fuse mount failure line: {line}");
            Assert.True(result.Elapsed < TimeSpan.FromSeconds(35), $"took {result.Elapsed}");
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public void AWrongMonitorFailsWithATimeoutInBoundedTime()
    {
        // nothing listens on 127.0.0.1:9; the default client_mount_timeout here is 30 s (Ceph's is 300 s)
        (CommandResult result, string line) = LaunchFailing(["-m", "127.0.0.1:9", "-n", "client.admin", $"--keyfile={ClusterEnv.Current.AdminKeyFile}"], "/",
            TimeSpan.FromSeconds(60), monHost: null);
        Assert.Matches(@"ceph mount failed with \(110\) Connection timed out$", line);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(45), $"took {result.Elapsed}");
    }

    [Fact]
    public void AMissingRootPathFailsLikeCephFuse()
    {
        (CommandResult result, string line) = LaunchFailing(["-n", "client.admin", $"--keyfile={ClusterEnv.Current.AdminKeyFile}"],
            "/no-such-directory-" + Guid.NewGuid().ToString("N"), TimeSpan.FromSeconds(30));
        Assert.Matches(@"^ceph-fuse\[\d+\]: ceph mount failed with \(2\) No such file or directory$", line);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(20), $"took {result.Elapsed}");
    }

    [Fact]
    public void BadArgumentsFailInOneLine()
    {
        string mountPoint = Directory.CreateTempSubdirectory("mcf-bad-").FullName;
        try
        {
            CommandResult unknown = Run.Command(Repository.Binary("managed-cephfuse"),
                [.. DaemonMount.Arguments(mountPoint, "/", "admin", ClusterEnv.Current.AdminKeyFile), "--no_such_ceph_option=1"], TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, unknown.ExitCode);
            Assert.Equal("unknown option --no_such_ceph_option", OneLine(unknown).Split(": ", 2)[1]);
            CommandResult badValue = Run.Command(Repository.Binary("managed-cephfuse"),
                [.. DaemonMount.Arguments(mountPoint, "/", "admin", ClusterEnv.Current.AdminKeyFile), "--client_oc_size=lots"], TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, badValue.ExitCode);
            Assert.Contains("bad value for option --client_oc_size", OneLine(badValue), StringComparison.Ordinal);
            Assert.DoesNotContain("lots", badValue.StandardError, StringComparison.Ordinal); // values (keys!) are never echoed
            Assert.False(DaemonMount.IsMounted(mountPoint));
        }
        finally
        {
            Cleanup(mountPoint);
        }
    }

    [Theory]
    [InlineData(Sys.SIGTERM)]
    [InlineData(Sys.SIGINT)]
    public void ASignalUnmountsAndExitsZero(int signal)
    {
        string mountPoint = Directory.CreateTempSubdirectory("mcf-sig-").FullName;
        var start = new ProcessStartInfo(Repository.Binary("managed-cephfuse"))
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string arg in DaemonMount.Arguments(mountPoint, "/", "admin", ClusterEnv.Current.AdminKeyFile))
            start.ArgumentList.Add(arg);
        start.ArgumentList.Add("-f");
        using Process daemon = Process.Start(start)!;
        daemon.OutputDataReceived += static (_, _) => { };
        daemon.BeginOutputReadLine();
        try
        {
            string? line;
            var clock = Stopwatch.StartNew();
            while ((line = daemon.StandardError.ReadLine()) is not null && !CsiRegex().IsMatch(line))
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            Assert.True(DaemonMount.IsMounted(mountPoint));
            File.WriteAllText(Path.Combine(mountPoint, $"signal-{Guid.NewGuid():N}"), "x");
            daemon.StandardError.BaseStream.CopyToAsync(Stream.Null);
            Sys.Kill(daemon.Id, signal);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(20)), "the daemon did not stop");
            Assert.Equal(0, daemon.ExitCode);
            Assert.False(DaemonMount.IsMounted(mountPoint));
        }
        finally
        {
            if (!daemon.HasExited)
                daemon.Kill();
            Cleanup(mountPoint);
        }
    }

    [Fact]
    public void UmountEndsTheDaemonAndItsCephSession()
    {
        DaemonMount mount = DaemonMount.Ours();
        try
        {
            long clientId = Ceph.ClientId(mount.AdminSocket);
            Assert.Contains($"\"id\": {clientId}", SessionList(), StringComparison.Ordinal);
            Assert.True(mount.Unmount(TimeSpan.FromSeconds(15)), "the daemon outlived its umount");
            // ceph_unmount closed the MDS session: no eviction needed, the MDS forgot the client
            var clock = Stopwatch.StartNew();
            while (SessionList().Contains($"\"id\": {clientId}", StringComparison.Ordinal))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"client.{clientId} still has an MDS session");
                Thread.Sleep(200);
            }
        }
        finally
        {
            mount.Dispose();
        }
    }

    [Fact]
    public void KillNineLeavesENotConnNotAHang()
    {
        DaemonMount mount = DaemonMount.Ours();
        long clientId = Ceph.ClientId(mount.AdminSocket);
        try
        {
            Sys.Kill(mount.Pid, Sys.SIGKILL);
            Assert.True(Processes.WaitForExit(mount.Pid, TimeSpan.FromSeconds(10)));
            // A request that races with the kernel tearing the connection down (the daemon's last /dev/fuse fd
            // is released a moment after it exits) ends with ECONNABORTED; from then on it is ENOTCONN.
            var clock = Stopwatch.StartNew();
            int probe;
            do
            {
                Assert.True(Within(() => Sys.StatErrno(mount.MountPoint), TimeSpan.FromSeconds(10), out probe), "stat on the dead mount hangs");
                Assert.True(probe is ENOTCONN or ECONNABORTED, $"stat on the dead mount: errno {probe}");
            }
            while (probe != ENOTCONN && clock.Elapsed < TimeSpan.FromSeconds(10));
            Assert.Equal(ENOTCONN, probe);
            Assert.True(Within(() => Sys.StatErrno(mount["anything"]), TimeSpan.FromSeconds(10), out int inside), "stat below the dead mount hangs");
            Assert.Equal(ENOTCONN, inside);
        }
        finally
        {
            mount.Dispose(); // umount, lazily when it must
            Ceph.Evict(clientId); // the dead client's caps would hold others up until its session times out
        }
    }

    [Fact]
    public void SigtermUnderLoadStopsWithoutHangingOrLosingAcknowledgedData()
    {
        string volume = mounts.NewDirectory("load");
        DaemonMount mount = DaemonMount.Ours();
        string path = mount[Path.Combine(volume, "stream")];
        long acknowledged = 0;
        int writerErrno = 0;
        using var started = new ManualResetEventSlim();
        var writer = new Thread(() =>
        {
            int fd = Sys.Open(path, Sys.O_CREAT | Sys.O_WRONLY | Sys.O_TRUNC);
            if (fd < 0)
            {
                writerErrno = Sys.Errno;
                started.Set();
                return;
            }
            var chunk = new byte[65536];
            for (long i = 0; ; i++)
            {
                Pattern(chunk, i);
                if (Sys.Write(fd, chunk) != chunk.Length)
                {
                    writerErrno = Sys.Errno;
                    break;
                }
                Interlocked.Add(ref acknowledged, chunk.Length);
                if (i == 16)
                    started.Set();
            }
            Sys.Close(fd);
            started.Set();
        }) { IsBackground = true };
        try
        {
            writer.Start();
            Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, writerErrno);
            Sys.Kill(mount.Pid, Sys.SIGTERM);
            Assert.True(Processes.WaitForExit(mount.Pid, TimeSpan.FromSeconds(30)), "the daemon did not stop under load");
            Assert.True(writer.Join(TimeSpan.FromSeconds(15)), "the writer hangs on the stopped mount");
            Assert.Equal(ENOTCONN, writerErrno);
        }
        finally
        {
            mount.Dispose();
        }
        // everything the writer was told was written reached the cluster (the daemon unmounted libcephfs cleanly)
        string there = mounts.CephFuse[Path.Combine(volume, "stream")];
        long size = new FileInfo(there).Length;
        Assert.True(size >= Interlocked.Read(ref acknowledged), $"{size} bytes there, {acknowledged} acknowledged");
        using FileStream stream = File.OpenRead(there);
        var read = new byte[65536];
        var expected = new byte[65536];
        for (long i = 0; i < acknowledged / read.Length; i++)
        {
            stream.ReadExactly(read);
            Pattern(expected, i);
            Assert.True(read.AsSpan().SequenceEqual(expected), $"chunk {i} differs");
        }
    }

    [Fact]
    public void LazyUmountUnderLoadLetsTheWriterFinishThenTheDaemonExits()
    {
        string volume = mounts.NewDirectory("lazy");
        DaemonMount mount = DaemonMount.Ours();
        try
        {
            string path = mount[Path.Combine(volume, "f")];
            int fd = Sys.Check(Sys.Open(path, Sys.O_CREAT | Sys.O_WRONLY), "open");
            var chunk = new byte[1 << 20];
            Assert.Equal(chunk.Length, Sys.Write(fd, chunk));
            Assert.Equal(0, Run.Command("/bin/umount", ["-l", mount.MountPoint], TimeSpan.FromSeconds(30)).ExitCode);
            Assert.False(DaemonMount.IsMounted(mount.MountPoint));
            // the open file still works on the detached mount, and the daemon serves it
            Assert.Equal(chunk.Length, Sys.Write(fd, chunk));
            Assert.True(Processes.IsAlive(mount.Pid));
            Sys.Check(Sys.Close(fd), "close");
            Assert.True(Processes.WaitForExit(mount.Pid, TimeSpan.FromSeconds(15)), "the daemon outlived the detached mount");
            Assert.Equal(2L << 20, new FileInfo(mounts.CephFuse[Path.Combine(volume, "f")]).Length);
        }
        finally
        {
            mount.Dispose();
        }
    }

    /// <summary>Runs <paramref name="call"/> on a thread of its own; false when it did not return in time.</summary>
    internal static bool Within(Func<int> call, TimeSpan timeout, out int result)
    {
        int value = 0;
        var thread = new Thread(() => value = call()) { IsBackground = true };
        thread.Start();
        bool done = thread.Join(timeout);
        result = value;
        return done;
    }

    private static void Pattern(byte[] chunk, long index)
    {
        for (int i = 0; i < chunk.Length; i += 8)
            BitConverter.TryWriteBytes(chunk.AsSpan(i), (index << 20) + i);
    }

    private static string SessionList() => Ceph.Command("tell", "mds.*", "session", "ls");

    /// <summary>Launches with bad arguments: a non-zero exit, nothing mounted, exactly one line on stderr.</summary>
    private static (CommandResult Result, string Line) LaunchFailing(string[] identity, string root, TimeSpan timeout, string? monHost = "default")
    {
        ClusterEnv cluster = ClusterEnv.Current;
        string mountPoint = Directory.CreateTempSubdirectory("mcf-fail-").FullName;
        try
        {
            var args = new List<string> { mountPoint, "-c", cluster.ConfPath };
            if (monHost is not null)
                args.AddRange(["-m", cluster.MonHost]);
            args.AddRange(identity);
            args.AddRange(["-r", root]);
            CommandResult result = Run.Command(Repository.Binary("managed-cephfuse"), args, timeout);
            Assert.NotEqual(0, result.ExitCode);
            Assert.False(DaemonMount.IsMounted(mountPoint));
            return (result, OneLine(result));
        }
        finally
        {
            Cleanup(mountPoint);
        }
    }

    private static string OneLine(CommandResult result)
    {
        string[] lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got: {result.StandardError}");
        return lines[0].TrimEnd();
    }

    private static string TempKeyFile(string key)
    {
        string path = Path.Combine(Path.GetTempPath(), $"keyfile-{Guid.NewGuid():N}");
        File.WriteAllText(path, "");
        Sys.Check(Sys.Chmod(path, 0x180), "chmod 0600");
        File.WriteAllText(path, key);
        return path;
    }

    private static void Cleanup(string mountPoint)
    {
        if (DaemonMount.IsMounted(mountPoint))
        {
            Run.Command("/bin/umount", [mountPoint], TimeSpan.FromSeconds(30));
            if (DaemonMount.IsMounted(mountPoint))
                Sys.Umount2(mountPoint, Sys.MNT_DETACH);
        }
        if (DaemonMount.IsMounted(mountPoint))
            return; // never delete through a mount
        try
        {
            Directory.Delete(mountPoint, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
