namespace ManagedCephFuse.CsiPlugin.Mounter;

/// <summary>What a mounter needs to mount a CephFS path at a staging path. The key is in a file, never inline.</summary>
internal sealed record MountRequest(
    string Target,
    string Monitors,
    string ClientId,
    string KeyFile,
    string RootPath,
    string FsName,
    string CephConf,
    string Options);

/// <summary>Mounts a CephFS path (ceph-csi's <c>mounter.VolumeMounter</c>).</summary>
internal interface IVolumeMounter
{
    /// <summary><c>fuse</c> or <c>kernel</c>.</summary>
    string Name { get; }

    /// <summary>Mounts; returns the fuse daemon's pid, or null when no daemon is involved.</summary>
    Task<int?> MountAsync(MountRequest request, CancellationToken cancellation);
}
