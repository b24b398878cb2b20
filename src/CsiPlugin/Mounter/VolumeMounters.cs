using System.Collections.Concurrent;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Processes;
using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>
/// The node's mounters and the fuse daemons they started: the pid of each staging path's daemon is recorded
/// at mount and the daemon is reaped after the unmount (ceph-csi's <c>fusePidMap</c>).
/// </summary>
internal sealed class VolumeMounters(FuseMounter fuse, KernelMounter kernel, ILogger<VolumeMounters> logger)
{
    private static readonly TimeSpan DaemonExitTimeout = TimeSpan.FromSeconds(10);
    private const int MaxStackedMounts = 4;
    private readonly ConcurrentDictionary<string, int> _daemons = new(StringComparer.Ordinal);

    public FuseMounter Fuse => fuse;
    public KernelMounter Kernel => kernel;

    public IVolumeMounter For(string mounter) => mounter == "kernel" ? kernel : fuse;

    /// <summary>The daemon pid recorded for a staging path, if any.</summary>
    public int? DaemonOf(string path) => _daemons.TryGetValue(MountInfo.Normalize(path), out int pid) ? pid : null;

    public async Task MountAsync(IVolumeMounter mounter, MountRequest request, string volumeId, CancellationToken cancellation)
    {
        int? pid = await mounter.MountAsync(request, cancellation).ConfigureAwait(false);
        if (pid is { } daemon)
            _daemons[MountInfo.Normalize(request.Target)] = daemon;
        Log.Mounted(logger, volumeId, request.Target, mounter.Name, pid ?? 0);
    }

    /// <summary>Unmounts everything at <paramref name="path"/> and, when a fuse daemon served it, waits for it and reaps it.</summary>
    public async Task UnmountAsync(string path, CancellationToken cancellation)
    {
        // a snapshot-backed volume stacks a bind mount of the snapshot on the daemon's mount: unmount both
        for (int round = 0; round < MaxStackedMounts; round++)
        {
            await MountHelper.UnmountAsync(path, cancellation).ConfigureAwait(false);
            if (MountInfo.Find(path) is null)
                break;
        }
        Log.Unmounted(logger, path);
        if (!_daemons.TryRemove(MountInfo.Normalize(path), out int pid))
            return;
        if (!await DaemonReaper.WaitForExitAsync(pid, DaemonExitTimeout, cancellation).ConfigureAwait(false))
        {
            Log.DaemonLingers(logger, pid, path, (int)DaemonExitTimeout.TotalSeconds);
            DaemonReaper.Terminate(pid);
            await DaemonReaper.WaitForExitAsync(pid, DaemonExitTimeout, cancellation).ConfigureAwait(false);
        }
        Log.DaemonReaped(logger, pid, path);
    }
}
