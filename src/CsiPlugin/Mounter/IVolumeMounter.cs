using ManagedCephFuse.CsiPlugin.Secrets;
using ManagedCephFuse.CsiPlugin.Store;

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

    /// <summary>The <c>-o</c> options for <paramref name="volume"/> (its fuse or kernel mount options), read-only when asked.</summary>
    string MountOptions(VolumeOptions volume, bool readOnly);

    /// <summary>Mounts; returns the fuse daemon's pid, or null when no daemon is involved.</summary>
    Task<int?> MountAsync(MountRequest request, CancellationToken cancellation);
}

/// <summary>Mount option lists as <c>-o</c> takes them.</summary>
internal static class MountOptionList
{
    /// <summary><paramref name="options"/> with <c>ro</c> added when <paramref name="readOnly"/> and not there yet.</summary>
    public static string WithReadOnly(string options, bool readOnly)
    {
        if (!readOnly || options.Split(',').Contains("ro"))
            return options;
        return options.Length == 0 ? "ro" : options + ",ro";
    }
}
