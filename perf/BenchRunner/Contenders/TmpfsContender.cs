using ManagedCephFuse.BenchRunner.Os;

namespace ManagedCephFuse.BenchRunner.Contenders;

/// <summary>
/// tmpfs, the sanity check of the FUSE suite: the same programs on a kernel file system whose page cache is
/// the storage. It bounds what the client side (fsops, the syscalls) costs; no daemon, so no CPU or RSS.
/// </summary>
internal sealed class TmpfsContender(string mountPoint, long sizeBytes, BenchTools tools)
    : MountPointContender("tmpfs", mountPoint, "bench", tools)
{
    private bool _mounted;

    public override string Description => $"mount -t tmpfs -o size={sizeBytes} tmpfs {MountPoint}";

    public override int? MeasuredPid => null;

    public override void Start(CancellationToken cancel)
    {
        Directory.CreateDirectory(MountPoint);
        if (Mounts.TypeAt(MountPoint) is { } stale)
            throw new ContenderException($"tmpfs: something ({stale}) is already mounted on {MountPoint}; " +
                "a bench run that was killed left it: umount it and run again");
        var result = Tool.Run("mount", ["-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", MountPoint],
            TimeSpan.FromSeconds(30), cancel);
        if (result.ExitCode != 0)
            throw new ContenderException($"tmpfs: mount failed: {result.Tail()}");
        _mounted = true;
        MakeWorkDir();
    }

    public override void MakeCold(CancellationToken cancel) => SyncAndDropCaches();

    public override void Stop()
    {
        if (!_mounted)
            return;
        Mounts.Unmount(MountPoint);
        _mounted = false;
    }
}
