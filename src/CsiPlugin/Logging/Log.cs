using Microsoft.Extensions.Logging;

namespace ManagedCephFuse.CsiPlugin.Logging;

/// <summary>The plugin's log lines (source-generated). Secrets are never arguments of any of them.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "cephcsi {Version} serving {Services} as {Driver} on {Socket} (node id '{NodeId}', instance id '{InstanceId}')")]
    public static partial void Serving(ILogger logger, string version, string services, string driver, string socket, string nodeId, string instanceId);

    [LoggerMessage(2, LogLevel.Warning, "ignoring ceph-csi flag --{Flag}: not used by this driver")]
    public static partial void IgnoredFlag(ILogger logger, string flag);

    [LoggerMessage(3, LogLevel.Information, "wrote a minimal ceph.conf at {Path} (cephx on, no monitors)")]
    public static partial void WroteCephConf(ILogger logger, string path);

    [LoggerMessage(4, LogLevel.Information, "{Method} → {Code} in {Milliseconds:0.0} ms")]
    public static partial void RpcDone(ILogger logger, string method, string code, double milliseconds);

    [LoggerMessage(5, LogLevel.Warning, "{Method} → {Code} in {Milliseconds:0.0} ms: {Message}")]
    public static partial void RpcFailed(ILogger logger, string method, string code, double milliseconds, string message);

    [LoggerMessage(6, LogLevel.Error, "{Method} failed unexpectedly")]
    public static partial void RpcCrashed(ILogger logger, Exception exception, string method);

    [LoggerMessage(10, LogLevel.Information, "created subvolume {Subvolume} ({Bytes} bytes) in {FsName}/{Group} for {Name} as {VolumeId}")]
    public static partial void VolumeCreated(ILogger logger, string subvolume, long bytes, string fsName, string group, string name, string volumeId);

    [LoggerMessage(11, LogLevel.Information, "found existing volume {VolumeId} (subvolume {Subvolume}) for {Name}")]
    public static partial void VolumeExists(ILogger logger, string volumeId, string subvolume, string name);

    [LoggerMessage(12, LogLevel.Information, "deleted volume {VolumeId} (subvolume {Subvolume})")]
    public static partial void VolumeDeleted(ILogger logger, string volumeId, string subvolume);

    [LoggerMessage(13, LogLevel.Information, "volume {VolumeId} is already gone: {Reason}")]
    public static partial void VolumeAlreadyGone(ILogger logger, string volumeId, string reason);

    [LoggerMessage(14, LogLevel.Information, "resized volume {VolumeId} to {Bytes} bytes")]
    public static partial void VolumeResized(ILogger logger, string volumeId, long bytes);

    [LoggerMessage(15, LogLevel.Warning, "removing a stale reservation for {Name}: {Reason}")]
    public static partial void StaleReservation(ILogger logger, string name, string reason);

    [LoggerMessage(16, LogLevel.Warning, "undoing the reservation of {Name} failed: {Message}")]
    public static partial void UndoFailed(ILogger logger, string name, string message);

    [LoggerMessage(17, LogLevel.Information, "created snapshot {Snapshot} of {Source} for {Name} as {SnapshotId}")]
    public static partial void SnapshotCreated(ILogger logger, string snapshot, string source, string name, string snapshotId);

    [LoggerMessage(18, LogLevel.Information, "found existing snapshot {SnapshotId} ({Snapshot}) for {Name}")]
    public static partial void SnapshotExists(ILogger logger, string snapshotId, string snapshot, string name);

    [LoggerMessage(19, LogLevel.Information, "deleted snapshot {SnapshotId} ({Snapshot})")]
    public static partial void SnapshotDeleted(ILogger logger, string snapshotId, string snapshot);

    [LoggerMessage(30, LogLevel.Information, "snapshot {SnapshotId} is already gone: {Reason}")]
    public static partial void SnapshotAlreadyGone(ILogger logger, string snapshotId, string reason);

    [LoggerMessage(31, LogLevel.Information, "snapshot {SnapshotId} still backs read-only volumes: it is removed with the last of them")]
    public static partial void SnapshotStillBacksVolumes(ILogger logger, string snapshotId);

    [LoggerMessage(32, LogLevel.Information, "cloning {Source}@{Snapshot} into {Clone} for {Name}")]
    public static partial void CloneStarted(ILogger logger, string clone, string source, string snapshot, string name);

    [LoggerMessage(33, LogLevel.Information, "volume {VolumeId} shows snapshot {SnapshotId} read-only")]
    public static partial void SnapshotBackedVolumeCreated(ILogger logger, string volumeId, string snapshotId);

    [LoggerMessage(20, LogLevel.Information, "mounted volume {VolumeId} at {Path} with {Mounter} (daemon pid {Pid})")]
    public static partial void Mounted(ILogger logger, string volumeId, string path, string mounter, int pid);

    [LoggerMessage(21, LogLevel.Information, "volume {VolumeId} is already mounted at {Path}")]
    public static partial void AlreadyMounted(ILogger logger, string volumeId, string path);

    [LoggerMessage(22, LogLevel.Warning, "mount of volume {VolumeId} at {Path} is broken ({State}); recovering")]
    public static partial void Recovering(ILogger logger, string volumeId, string path, string state);

    [LoggerMessage(23, LogLevel.Information, "unmounted {Path}")]
    public static partial void Unmounted(ILogger logger, string path);

    [LoggerMessage(24, LogLevel.Information, "fuse daemon {Pid} of {Path} exited and was reaped")]
    public static partial void DaemonReaped(ILogger logger, int pid, string path);

    [LoggerMessage(25, LogLevel.Warning, "fuse daemon {Pid} of {Path} still runs {Seconds} s after the unmount; sending SIGTERM")]
    public static partial void DaemonLingers(ILogger logger, int pid, string path, int seconds);

    [LoggerMessage(26, LogLevel.Warning, "cannot become a child subreaper: fuse daemons will be reaped by init")]
    public static partial void NoSubreaper(ILogger logger);

    [LoggerMessage(27, LogLevel.Information, "bind-mounted {Source} on {Target}{ReadOnly}")]
    public static partial void Published(ILogger logger, string source, string target, string readOnly);
}
