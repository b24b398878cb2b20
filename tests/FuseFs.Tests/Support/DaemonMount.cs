using System.Diagnostics;
using ManagedCephFuse.TestSupport;

namespace ManagedCephFuse.FuseFs.Tests.Support;

/// <summary>
/// The memory file system served by the published daemon (bin/managed-cephfuse -f) in its own process. Needed
/// where the test touches mapped pages: a page fault on a FUSE mapping served by the faulting process itself can
/// deadlock with the garbage collector. Unmounted (lazily as a last resort) and the daemon stopped on Dispose.
/// </summary>
internal sealed class DaemonMount : IDisposable
{
    private readonly Process _daemon;

    public DaemonMount(params string[] options)
    {
        Path = Directory.CreateTempSubdirectory("mcf-daemon-").FullName;
        var start = new ProcessStartInfo(Repository.Binary("managed-cephfuse")) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--backend", "memory", Path, "-f" }.Concat(options))
            start.ArgumentList.Add(arg);
        _daemon = Process.Start(start)!;
        try
        {
            string? line = _daemon.StandardError.ReadLine();
            if (line != $"ceph-fuse[{_daemon.Id}]: starting fuse")
                throw new InvalidOperationException($"the daemon did not start: {line}");
            var drain = new Thread(() =>
            {
                while (_daemon.StandardError.ReadLine() is { } more)
                {
                    lock (Errors)
                        Errors.Add(more);
                }
            }) { IsBackground = true };
            drain.Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int Pid => _daemon.Id;

    /// <summary>What the daemon printed after starting (warnings and errors).</summary>
    public List<string> Errors { get; } = [];

    public void Dispose()
    {
        if (!_daemon.HasExited)
        {
            Process.Start("kill", $"-TERM {_daemon.Id}")!.WaitForExit();
            if (!_daemon.WaitForExit(10_000))
                _daemon.Kill();
        }
        if (File.ReadAllLines("/proc/mounts").Any(l => l.Split(' ')[1] == Path))
            Posix.Umount2(Path, 2);
        _daemon.Dispose();
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
