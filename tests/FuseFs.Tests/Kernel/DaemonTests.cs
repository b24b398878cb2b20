using System.Diagnostics;
using System.Text.RegularExpressions;
using ManagedCephFuse.FuseFs.Tests.Support;
using ManagedCephFuse.TestSupport;
using Xunit;
using static ManagedCephFuse.FuseFs.Tests.Support.Posix;

namespace ManagedCephFuse.FuseFs.Tests.Kernel;

/// <summary>
/// The published binary (bin/managed-cephfuse, `make build`) as users and ceph-csi run it: the launcher handshake,
/// signals, external unmount, kill -9, the debug trace, non-root mounts through fusermount3.
/// </summary>
[Trait("Category", "Kernel")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class DaemonTests : IDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);
    private readonly string _binary = Repository.Binary("managed-cephfuse");
    private readonly string _mountPoint = Directory.CreateTempSubdirectory("mcf-daemon-").FullName;
    private readonly List<int> _pids = [];

    [GeneratedRegex(@"(?m)^ceph-fuse\[(.+)\]: starting fuse$")]
    private static partial Regex CephCsiPattern();

    public void Dispose()
    {
        foreach (int pid in _pids)
        {
            try
            {
                using Process p = Process.GetProcessById(pid);
                p.Kill();
            }
            catch (ArgumentException)
            {
                // gone
            }
            catch (InvalidOperationException)
            {
            }
        }
        if (IsMounted(_mountPoint))
            Umount2(_mountPoint, 2 /* MNT_DETACH */);
        try
        {
            Directory.Delete(_mountPoint);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsMounted(string path) => File.ReadAllLines("/proc/mounts").Any(l => l.Split(' ')[1] == path);

    private static string? MountLine(string path) => File.ReadAllLines("/proc/mounts").FirstOrDefault(l => l.Split(' ')[1] == path);

    /// <summary>Runs the launcher like a Go exec.Cmd: stderr read to EOF, then the exit status.</summary>
    private (int Exit, string Stderr, TimeSpan Took) Launch(params string[] args)
    {
        var start = new ProcessStartInfo(_binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using Process launcher = Process.Start(start)!;
        Task<string> stderr = launcher.StandardError.ReadToEndAsync();
        Task<string> stdout = launcher.StandardOutput.ReadToEndAsync();
        Assert.True(stderr.Wait(Bounded), "stderr did not reach EOF: the daemon kept the launcher's pipe");
        Assert.True(stdout.Wait(Bounded), "stdout did not reach EOF");
        Assert.True(launcher.WaitForExit(Bounded));
        return (launcher.ExitCode, stderr.Result, clock.Elapsed);
    }

    private int StartedPid(string stderr)
    {
        Match m = CephCsiPattern().Match(stderr);
        Assert.True(m.Success, $"no 'starting fuse' line in: {stderr}");
        int pid = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        _pids.Add(pid);
        return pid;
    }

    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);

    private static bool WaitGone(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (!IsAlive(pid))
                return true;
            Thread.Sleep(50);
        }
        return false;
    }

    [Fact]
    public void LauncherHandshakeExactlyAsCephCsiUsesIt()
    {
        // ceph-csi v3.0.0's shape: <mp> ... -o nonempty ,<opts>; here with the memory backend
        var (exit, stderr, took) = Launch(_mountPoint, "--backend", "memory", "-o", "nonempty", ",noatime,nodev");
        Assert.Equal(0, exit);
        int pid = StartedPid(stderr);
        Assert.True(IsAlive(pid), $"daemon {pid} is not running");
        Assert.Contains(CommandLineDaemonFlag, File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal);
        string? line = MountLine(_mountPoint);
        Assert.NotNull(line);
        Assert.StartsWith($"managed-memfs {_mountPoint} fuse.managed-memfs ", line, StringComparison.Ordinal);
        Assert.Contains("noatime", line, StringComparison.Ordinal);
        Assert.Contains("nodev", line, StringComparison.Ordinal);
        Assert.True(took < Bounded);
        // the daemon left the launcher's session and stdio
        string[] stat = File.ReadAllText($"/proc/{pid}/stat").Split(' ');
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), stat[5]); // session leader
        foreach (int fd in new[] { 0, 1, 2 })
            Assert.Equal("/dev/null", new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget);
        // it serves
        File.WriteAllText(Path.Combine(_mountPoint, "hello"), "world");
        Assert.Equal("world", File.ReadAllText(Path.Combine(_mountPoint, "hello")));
        // a later umount ends the daemon
        Assert.Equal(0, Umount2(_mountPoint, 0));
        Assert.True(WaitGone(pid, Bounded), "the daemon outlived its mount");
    }

    private const string CommandLineDaemonFlag = "--managed-cephfuse-daemon-child";

    [Fact]
    public void SigtermUnmountsAndExitsZero()
    {
        var start = new ProcessStartInfo(_binary) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--backend", "memory", _mountPoint, "-f" })
            start.ArgumentList.Add(arg);
        using Process daemon = Process.Start(start)!;
        _pids.Add(daemon.Id);
        Assert.Equal($"ceph-fuse[{daemon.Id}]: starting fuse", daemon.StandardError.ReadLine());
        Assert.True(IsMounted(_mountPoint));
        Process.Start("kill", $"-TERM {daemon.Id}")!.WaitForExit();
        Assert.True(daemon.WaitForExit(Bounded));
        Assert.Equal(0, daemon.ExitCode);
        Assert.False(IsMounted(_mountPoint));
    }

    [Fact]
    public void KillNineLeavesAMountThatSaysEnotconnAndNeverHangs()
    {
        var start = new ProcessStartInfo(_binary) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--backend", "memory", _mountPoint, "-f" })
            start.ArgumentList.Add(arg);
        using Process daemon = Process.Start(start)!;
        _pids.Add(daemon.Id);
        Assert.Equal($"ceph-fuse[{daemon.Id}]: starting fuse", daemon.StandardError.ReadLine());
        File.WriteAllText(Path.Combine(_mountPoint, "f"), "x");
        daemon.Kill(); // SIGKILL
        Assert.True(daemon.WaitForExit(Bounded));
        // in a child process, with a timeout: a hang would be the bug
        var clock = Stopwatch.StartNew();
        var result = NativeHelper.Run("stat", Path.Combine(_mountPoint, "f"), timeoutMs: 20_000);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Transport endpoint is not connected", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, Umount2(_mountPoint, 2)); // the admin's cleanup: umount -l
    }

    [Fact]
    public void DebugTraceHasOneLinePerRequestAndReply()
    {
        var start = new ProcessStartInfo(_binary) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-d", _mountPoint, "--backend=memory" })
            start.ArgumentList.Add(arg);
        using Process daemon = Process.Start(start)!;
        _pids.Add(daemon.Id);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        daemon.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        daemon.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!lines.Any(l => l.Contains("starting fuse", StringComparison.Ordinal)) && clock.Elapsed < Bounded)
            Thread.Sleep(20);
        Assert.False(File.Exists(Path.Combine(_mountPoint, "no-such-name")));
        Process.Start("kill", $"-TERM {daemon.Id}")!.WaitForExit();
        Assert.True(daemon.WaitForExit(Bounded));
        daemon.WaitForExit(); // with a timeout the call does not wait for the last stderr events; this one does
        string[] all = lines.ToArray();
        Assert.Contains(all, l => l.Contains("FUSE INIT: 7.", StringComparison.Ordinal) && l.Contains("MaxPages", StringComparison.Ordinal));
        string? request = all.FirstOrDefault(l => l.Contains("LOOKUP node 1", StringComparison.Ordinal) && l.Contains("'no-such-name'", StringComparison.Ordinal));
        Assert.NotNull(request);
        string unique = Regex.Match(request!, @"-> (\d+) LOOKUP").Groups[1].Value;
        Assert.Contains(all, l => Regex.IsMatch(l, $@"<- {unique} LOOKUP ENOENT 0 bytes in \d+ us"));
    }

    [Fact]
    public void FailuresGiveOneLineAndANonZeroExitInBoundedTime()
    {
        var (exit, stderr, took) = Launch("/no/such/mount/point", "--backend", "memory");
        Assert.NotEqual(0, exit);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);

        (exit, stderr, took) = Launch(_mountPoint, "-o", "bogus");
        Assert.NotEqual(0, exit);
        Assert.Equal("managed-cephfuse: unknown mount option 'bogus'", stderr.Trim());

        // the CephFS backend with no monitor answering (its own tests cover the default 30 s bound)
        (exit, stderr, took) = Launch(_mountPoint, "-m", "127.0.0.1:1", "--client_mount_timeout=3");
        Assert.NotEqual(0, exit);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("ceph mount failed with (110) Connection timed out", stderr, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(15));

        string file = Path.Combine(_mountPoint, "a-file");
        File.WriteAllText(file, "");
        (exit, stderr, took) = Launch(file, "--backend", "memory");
        Assert.NotEqual(0, exit);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(IsMounted(file));
        File.Delete(file);
    }

    [Fact]
    public void VersionAndHelp()
    {
        var (exit, output, _) = NativeHelper.Run(_binary, "-V");
        Assert.Equal(0, exit);
        Assert.Matches(@"^managed-cephfuse version \d+\.\d+\.\d+", output);
        (exit, output, _) = NativeHelper.Run(_binary, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--client_mds_namespace", output, StringComparison.Ordinal);
    }

    [Fact]
    public void NonRootMountThroughFusermount3()
    {
        // fusermount3 opens /dev/fuse as the calling user: Debian's udev makes it 0666; a container may not.
        UnixFileMode devFuse = File.GetUnixFileMode("/dev/fuse");
        const UnixFileMode everyone = UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        if ((devFuse & everyone) != everyone)
            File.SetUnixFileMode("/dev/fuse", devFuse | everyone | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        try
        {
            MountAsNobody();
        }
        finally
        {
            File.SetUnixFileMode("/dev/fuse", devFuse);
        }
    }

    private void MountAsNobody()
    {
        Check(Chown(_mountPoint, 65534, 65534), "chown mount point");
        var start = new ProcessStartInfo("setpriv") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", _binary, "--backend", "memory", _mountPoint, "-f" })
            start.ArgumentList.Add(arg);
        using Process daemon = Process.Start(start)!;
        _pids.Add(daemon.Id);
        string? first = daemon.StandardError.ReadLine();
        Assert.Equal($"ceph-fuse[{daemon.Id}]: starting fuse", first);
        string? line = MountLine(_mountPoint);
        Assert.NotNull(line);
        Assert.Contains("user_id=65534", line, StringComparison.Ordinal);
        Assert.DoesNotContain("allow_other", line, StringComparison.Ordinal);
        var write = NativeHelper.RunAs(65534, 65534, "/bin/sh", $"-c \"echo hi > {_mountPoint}/mine && cat {_mountPoint}/mine\"");
        Assert.True(write.ExitCode == 0, write.Error);
        Assert.Equal("hi\n", write.Output);
        var unmount = NativeHelper.RunAs(65534, 65534, "fusermount3", $"-u {_mountPoint}");
        Assert.True(unmount.ExitCode == 0, unmount.Error);
        Assert.True(daemon.WaitForExit(Bounded));
        Assert.Equal(0, daemon.ExitCode);
        Assert.False(IsMounted(_mountPoint));
    }
}
