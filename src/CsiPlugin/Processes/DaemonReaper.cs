using System.Runtime.InteropServices;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CsiPlugin.Posix;

namespace ManagedCephFuse.CsiPlugin.Processes;

/// <summary>
/// Waits for a fuse daemon to exit after its unmount and reaps it. The plugin makes itself a child
/// subreaper at start, so a daemon whose launcher exited is re-parented to us and waitpid collects it
/// (no zombie); a daemon from an earlier plugin instance is watched through /proc instead.
/// </summary>
internal static class DaemonReaper
{
    /// <summary>Makes orphaned descendants (fuse daemons) our children; false when the kernel refuses.</summary>
    public static bool BecomeSubreaper() => LibC.Prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;

    /// <summary>True when the process exited within <paramref name="timeout"/> (and was reaped if it was ours).</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (TryReap(pid))
                return true;
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(50, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>True when the process is gone: reaped now (our child) or not running (someone else's).</summary>
    private static unsafe bool TryReap(int pid)
    {
        int status = 0;
        int rc = LibC.WaitPid(pid, &status, LibC.WNOHANG);
        if (rc == pid)
            return true;
        return rc < 0 && Marshal.GetLastPInvokeError() == Errno.ECHILD && !IsAlive(pid);
    }

    /// <summary>Whether <paramref name="pid"/> runs (a zombie counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static void Terminate(int pid) => LibC.Kill(pid, LibC.SIGTERM);
}
