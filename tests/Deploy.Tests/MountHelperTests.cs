using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.Deploy.Tests;

/// <summary>
/// mount.fuse.managed-cephfuse as mount(8) runs it: a real `mount -t fuse.managed-cephfuse` and a real fstab
/// line of type fuse.ceph (mount.fuse.ceph's options) against the test cluster, each in a private mount
/// namespace where the helper is visible in /sbin (an overlay over it) and /etc/fstab is the test's.
/// </summary>
public sealed class MountHelperTests(Installed installed) : IClassFixture<Installed>
{
    private static ClusterEnv Env => ClusterEnv.Current;

    [Fact]
    public async Task MountTypeAndAnExistingCephFuseFstabLineMountTheTestCluster()
    {
        using var temp = new TempDirectory("mount-helper-");
        string dir = "deploy-" + Guid.NewGuid().ToString("N")[..12];
        string typed = temp.Combine("typed"), fstabbed = temp.Combine("fstab-mnt"), withKey = temp.Combine("with-key");
        string helpers = temp.Combine("sbin-top"), keys = temp.Combine("tmp");
        foreach (string path in new[] { typed, fstabbed, withKey, helpers, keys })
            Directory.CreateDirectory(path);
        File.CreateSymbolicLink(Path.Combine(helpers, "mount.fuse.managed-cephfuse"), installed.Helper);
        File.CreateSymbolicLink(Path.Combine(helpers, "mount.fuse.ceph"), installed.Helper);
        // ceph-fuse's fstab line, unchanged but for the test cluster's id, conf, key file and a directory of its own
        await File.WriteAllTextAsync(temp.Combine("fstab"),
            $"none {fstabbed} fuse.ceph ceph.id={Env.UserId},ceph.conf={Env.ConfPath},ceph.keyfile={Env.UserKeyFile},ceph.client_mountpoint=/{dir},_netdev,defaults 0 0\n");
        string key = ClusterEnv.ReadKey(Env.UserKeyFile);
        string q(string s) => Commands.Quote(s);
        string script = $"""
            mount -t overlay overlay -o lowerdir={q(helpers)}:/usr/sbin /usr/sbin
            mount --bind {q(temp.Combine("fstab"))} /etc/fstab
            trap 'for m in {q(typed)} {q(fstabbed)} {q(withKey)}; do ! mountpoint -q "$m" || umount -l "$m" || true; done' EXIT
            mount -t fuse.managed-cephfuse none {q(typed)} -o ceph.id={Env.UserId},ceph.conf={q(Env.ConfPath)},ceph.keyfile={q(Env.UserKeyFile)},_netdev,defaults
            grep -F ' {typed} fuse.ceph-fuse ' /proc/self/mounts
            mkdir {q(typed + "/" + dir)}
            echo written-through-mount-t > {q(typed + "/" + dir + "/file")}
            umount {q(typed)}
            mount {q(fstabbed)}
            grep -F ' {fstabbed} fuse.ceph-fuse ' /proc/self/mounts
            echo "read: $(cat {q(fstabbed + "/file")})"
            umount {q(fstabbed)}
            TMPDIR={q(keys)} mount -t fuse.ceph none {q(withKey)} -o ceph.name=client.{Env.UserId},ceph.conf={q(Env.ConfPath)},ceph.key="$MCF_TEST_KEY",ceph.client_mountpoint=/{dir},ro
            echo "keys left: $(ls -A {q(keys)} | grep -c '\.key\.' || true)"
            echo "read-only: $(touch {q(withKey + "/x")} 2>&1 || true)"
            umount {q(withKey)}
            """;
        var pids = new List<int>();
        try
        {
            var run = await Commands.RunAsync("unshare", ["-m", "--propagation", "private", "bash", "-euo", "pipefail", "-c", script],
                TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["MCF_TEST_KEY"] = key });
            pids.AddRange(Commands.DaemonPids(run.Output));
            run.Ok("the mount script");
            Assert.Contains("read: written-through-mount-t", run.Stdout, StringComparison.Ordinal);
            Assert.Contains("keys left: 0", run.Stdout, StringComparison.Ordinal);
            Assert.Contains("Read-only file system", run.Stdout, StringComparison.Ordinal);
            Assert.Equal(3, pids.Count);
            Assert.DoesNotContain(key, run.Output, StringComparison.Ordinal);
            // each daemon ended with its unmount
            await WaitGoneAsync(pids);
        }
        finally
        {
            foreach (int pid in pids)
                Commands.KillIfRunning(pid);
            await RemoveDirectoryAsync(dir);
        }
    }

    [Fact]
    public async Task OptionsBecomeManagedCephfuseArgumentsAsMountFuseCephMakesThem()
    {
        // -f (fake) prints the command and mounts nothing
        var run = (await Commands.RunAsync(installed.Helper, "none", "/mnt/x", "-f", "-o",
            "ceph.id=alice,ceph.conf=/etc/ceph/a.conf,ceph.client_mountpoint=/v/1,ceph.client_cache_size=1024,_netdev,defaults,noauto,nofail,x-systemd.automount,ro,noatime",
            "-t", "fuse.ceph")).Ok("helper -f");
        Assert.Equal($"mount.fuse.managed-cephfuse: {installed.Prefix}/bin/managed-cephfuse /mnt/x --id=alice --conf=/etc/ceph/a.conf --client_mountpoint=/v/1 --client_cache_size=1024 -o ro,noatime\n", run.Stderr);
        // the old form: the options as the device
        run = (await Commands.RunAsync(installed.Helper, "id=alice,conf=/etc/ceph/a.conf", "/mnt/x", "-fv")).Ok("helper -fv");
        Assert.Equal($"mount.fuse.managed-cephfuse: {installed.Prefix}/bin/managed-cephfuse /mnt/x --id=alice --conf=/etc/ceph/a.conf\n", run.Stderr);
        // a key never reaches a command line: a 0600 file, gone when the helper is
        using var temp = new TempDirectory("helper-key-");
        run = (await Commands.RunAsync(installed.Helper, ["none", "/mnt/x", "-f", "-o", "ceph.id=alice,ceph.key=AQBsecret=="], null,
            new Dictionary<string, string> { ["TMPDIR"] = temp.Path })).Ok("helper -f with a key");
        Assert.DoesNotContain("AQBsecret", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"--keyfile={temp.Path}/mount.fuse.managed-cephfuse.key.", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Theory]
    [InlineData(new[] { "none" }, 1, "usage: mount.fuse.managed-cephfuse DEVICE MOUNTPOINT")]
    [InlineData(new[] { "none", "/mnt/x", "-q" }, 1, "unknown option '-q'")]
    [InlineData(new[] { "none", "/mnt/x", "-fq" }, 1, "unknown flag -q")]
    [InlineData(new[] { "none", "/mnt/x", "--bogus" }, 1, "unknown option '--bogus'")]
    [InlineData(new[] { "none", "/mnt/x", "-N", "/proc/1/ns/mnt" }, 1, "-N (mount namespaces) is not supported")]
    [InlineData(new[] { "none", "/mnt/x", "-o" }, 1, "-o needs options")]
    [InlineData(new[] { "none", "/mnt/x", "/mnt/y" }, 1, "unexpected argument '/mnt/y'")]
    [InlineData(new[] { "none", "/mnt/x", "-f", "-o", "ceph.=x" }, 1, "empty option name in 'ceph.=x'")]
    [InlineData(new[] { "none", "/mnt/x", "-f", "-o", "ceph.key" }, 1, "ceph.key needs a value")]
    public async Task BadInvocationsFailWithTheReason(string[] arguments, int exitCode, string message)
    {
        var run = await Commands.RunAsync(installed.Helper, arguments);
        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedMountExits32WithManagedCephfusesReason()
    {
        using var temp = new TempDirectory("helper-fail-");
        // a wrong key file: managed-cephfuse refuses, and mount(8) gets 32 (mount failure)
        await File.WriteAllTextAsync(temp.Combine("bad.key"), "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n");
        Directory.CreateDirectory(temp.Combine("m"));
        var run = await Commands.RunAsync(installed.Helper, ["none", temp.Combine("m"), "-o",
            $"ceph.id={Env.UserId},ceph.conf={Env.ConfPath},ceph.keyfile={temp.Combine("bad.key")},ceph.client_mount_timeout=10"], TimeSpan.FromMinutes(2));
        foreach (int pid in Commands.DaemonPids(run.Output))
            Commands.KillIfRunning(pid);
        Assert.Equal(32, run.ExitCode);
        Assert.Contains("managed-cephfuse failed", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(temp.Combine("m"), File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);
    }

    private static async Task WaitGoneAsync(List<int> pids)
    {
        for (int i = 0; i < 100 && pids.Any(p => Directory.Exists($"/proc/{p}")); i++)
            await Task.Delay(100);
        Assert.All(pids, p => Assert.False(Directory.Exists($"/proc/{p}") && !File.ReadAllText($"/proc/{p}/stat").Contains(") Z ", StringComparison.Ordinal), $"daemon {p} still runs after its unmount"));
    }

    /// <summary>Removes the test's directory from CephFS through a mount of the root.</summary>
    private static async Task RemoveDirectoryAsync(string dir)
    {
        using var temp = new TempDirectory("mount-helper-cleanup-");
        var mount = await Commands.RunAsync(Repository.Binary("managed-cephfuse"), [temp.Path, "-c", Env.ConfPath, "-n", "client." + Env.UserId, $"--keyfile={Env.UserKeyFile}"], TimeSpan.FromMinutes(1));
        if (mount.ExitCode != 0)
            return;
        try
        {
            Directory.Delete(Path.Combine(temp.Path, dir), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        finally
        {
            _ = await Commands.RunAsync("umount", temp.Path);
        }
    }
}
