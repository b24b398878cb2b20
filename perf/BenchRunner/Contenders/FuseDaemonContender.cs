using System.Diagnostics;
using ManagedCephFuse.BenchRunner.Os;

namespace ManagedCephFuse.BenchRunner.Contenders;

/// <summary>
/// A FUSE daemon run in the foreground as our child (ceph-fuse -f, managed-cephfuse -f, libfuse-ref -f):
/// started, waited for until its mount answers, unmounted and waited for (SIGTERM, then SIGKILL, by PID, only
/// if it does not exit by itself). Its stdout and stderr go to a log file whose tail explains a failure.
/// </summary>
internal sealed class FuseDaemonContender : MountPointContender
{
    private static readonly TimeSpan MountTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binary;
    private readonly IReadOnlyList<string> _arguments;
    private readonly bool _remountWhenCold;
    private readonly string _logFile;
    private Process? _daemon;

    /// <param name="arguments">The daemon's arguments; "{mountpoint}" is replaced by the mount point.</param>
    /// <param name="remountWhenCold">The daemon caches data and metadata itself (a Ceph client): a cold cache
    /// needs a fresh daemon. An in-memory file system keeps its data only in the daemon: never restart it.</param>
    public FuseDaemonContender(string name, string binary, IReadOnlyList<string> arguments, bool remountWhenCold,
        string mountPoint, string workSubdirectory, string logFile, BenchTools tools)
        : base(name, mountPoint, workSubdirectory, tools)
    {
        _binary = binary;
        _arguments = arguments.Select(a => a.Replace("{mountpoint}", mountPoint, StringComparison.Ordinal)).ToList();
        _remountWhenCold = remountWhenCold;
        _logFile = logFile;
    }

    public override string Description => $"{_binary} {string.Join(' ', _arguments)}";

    public override int? MeasuredPid => _daemon is { HasExited: false } d ? d.Id : null;

    public override void Start(CancellationToken cancel)
    {
        if (!File.Exists(_binary) && !_binary.Contains('/', StringComparison.Ordinal) && Which(_binary) is null)
            throw new ContenderException($"{Name}: {_binary} is not installed");
        if (_binary.Contains('/', StringComparison.Ordinal) && !File.Exists(_binary))
            throw new ContenderException($"{Name}: {_binary} does not exist (make build publishes it)");
        Directory.CreateDirectory(MountPoint);
        if (Mounts.TypeAt(MountPoint) is { } stale)
            throw new ContenderException($"{Name}: something ({stale}) is already mounted on {MountPoint}; " +
                "a bench run that was killed left it: umount it and run again");
        Directory.CreateDirectory(Path.GetDirectoryName(_logFile)!);
        File.AppendAllText(_logFile, $"==== {DateTime.Now:O} {Description}\n");

        // the shell only redirects and execs: the PID we hold is the daemon's
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (string a in (string[])["-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null", "sh", _logFile, _binary, .. _arguments])
            start.ArgumentList.Add(a);
        _daemon = Process.Start(start) ?? throw new ContenderException($"{Name}: cannot start {_binary}");

        var watch = Stopwatch.StartNew();
        while (Mounts.TypeAt(MountPoint) is null)
        {
            if (_daemon.HasExited)
            {
                int code = _daemon.ExitCode;
                _daemon.Dispose();
                _daemon = null;
                throw new ContenderException($"{Name}: {_binary} exited with code {code} before mounting {MountPoint}: {LogTail()}");
            }
            if (watch.Elapsed > MountTimeout)
            {
                Stop();
                throw new ContenderException($"{Name}: {_binary} did not mount {MountPoint} within {MountTimeout.TotalSeconds:F0} s: {LogTail()}");
            }
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(20);
        }
        // the mount exists before INIT is answered, and every access waits for INIT: probe off-thread so a
        // daemon that never answers is killed (which fails the probe) instead of hanging the runner
        var probe = Task.Run(() => Directory.Exists(MountPoint));
        if (!probe.Wait(MountTimeout, cancel) || !probe.Result)
        {
            Stop();
            throw new ContenderException($"{Name}: {MountPoint} is mounted but does not answer: {LogTail()}");
        }
        MakeWorkDir();
    }

    public override void MakeCold(CancellationToken cancel)
    {
        if (!_remountWhenCold)
        {
            SyncAndDropCaches();
            return;
        }
        Native.SyncFileSystem(MountPoint);
        Stop();
        Mounts.DropCaches();
        Start(cancel);
    }

    public override void Stop()
    {
        if (_daemon is null)
            return;
        try
        {
            Mounts.Unmount(MountPoint);
            if (!_daemon.WaitForExit(ExitTimeout) && Native.Signal(_daemon.Id, Native.SIGTERM) &&
                !_daemon.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                Console.Error.WriteLine($"[bench] {Name} (pid {_daemon.Id}) ignored SIGTERM: killing it");
                _daemon.Kill();
                _daemon.WaitForExit(TimeSpan.FromSeconds(15));
            }
            // a daemon killed before unmounting leaves a dead mount ("transport endpoint is not connected")
            Mounts.Unmount(MountPoint);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or global::System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"[bench] stopping {Name}: {e.Message}");
        }
        finally
        {
            _daemon.Dispose();
            _daemon = null;
        }
    }

    private string LogTail()
    {
        try
        {
            var lines = File.ReadAllLines(_logFile);
            int start = Array.FindLastIndex(lines, l => l.StartsWith("==== ", StringComparison.Ordinal)) + 1;
            var tail = lines[start..].Where(l => l.Trim().Length > 0).TakeLast(6).ToList();
            return tail.Count == 0 ? $"(nothing in {_logFile})" : string.Join(" | ", tail) + $" (log: {_logFile})";
        }
        catch (IOException)
        {
            return $"(no log at {_logFile})";
        }
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
