using System.Collections.Concurrent;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>
/// The subvolume operations behind the controller (ceph-csi's <c>core/volume.go</c>): group creation (once per
/// cluster, file system and group), create with quota and mode 777, path, quota, resize without shrinking,
/// and purge. Failures are <see cref="CoreException"/>s; the services give them their gRPC codes.
/// </summary>
internal sealed class SubvolumeCore
{
    public const string SubvolumeMode = "777";
    private readonly ConcurrentDictionary<string, bool> _groupsMade = new(StringComparer.Ordinal);

    public void EnsureGroup(CephAdmin admin, string clusterId, Subvolume subvolume)
    {
        string key = $"{clusterId}/{subvolume.FsName}/{subvolume.Group}";
        if (_groupsMade.ContainsKey(key))
            return;
        Ceph($"creating subvolume group {subvolume.FsName}/{subvolume.Group}",
            () => admin.CreateSubvolumeGroup(subvolume.FsName, subvolume.Group));
        _groupsMade[key] = true;
    }

    public static void Create(CephAdmin admin, Subvolume subvolume, long size, string? pool)
    {
        try
        {
            admin.CreateSubvolume(subvolume.FsName, subvolume.Name, new SubvolumeCreateOptions
            {
                Group = subvolume.Group,
                Size = size > 0 ? size : null,
                Mode = SubvolumeMode,
                PoolLayout = pool,
            });
        }
        catch (CephException e) when (pool is not null && e.Errno is Errno.EINVAL or Errno.ENOENT)
        {
            throw CoreException.InvalidInput($"creating subvolume {subvolume} in pool {pool}: {e.Message}");
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"creating subvolume {subvolume}");
        }
    }

    /// <summary>The subvolume's path, or null when it does not exist.</summary>
    public static string? TryGetPath(CephAdmin admin, Subvolume subvolume)
    {
        try
        {
            return admin.GetSubvolumePath(subvolume.FsName, subvolume.Name, subvolume.Group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"getting the path of subvolume {subvolume}");
        }
    }

    /// <summary>The subvolume's info, or null when it does not exist.</summary>
    public static SubvolumeInfo? TryGetInfo(CephAdmin admin, Subvolume subvolume)
    {
        try
        {
            return admin.GetSubvolumeInfo(subvolume.FsName, subvolume.Name, subvolume.Group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"getting subvolume {subvolume}");
        }
    }

    /// <summary>Grows the quota to <paramref name="size"/> bytes (ceph-csi passes no_shrink, as we do).</summary>
    public static void Resize(CephAdmin admin, Subvolume subvolume, long size) =>
        Ceph($"resizing subvolume {subvolume} to {size} bytes",
            () => admin.ResizeSubvolume(subvolume.FsName, subvolume.Name, size, subvolume.Group, noShrink: true));

    /// <summary>
    /// Removes the subvolume; a missing one is fine, one with snapshots is a precondition failure. <paramref name="force"/>
    /// also removes a failed or unfinished clone.
    /// </summary>
    public static void Purge(CephAdmin admin, Subvolume subvolume, bool force = false)
    {
        try
        {
            admin.RemoveSubvolume(subvolume.FsName, subvolume.Name, subvolume.Group, force);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
        }
        catch (CephException e) when (e.Errno is Errno.ENOTEMPTY or Errno.EAGAIN)
        {
            throw CoreException.Precondition($"subvolume {subvolume} cannot be removed yet: {e.Message}");
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"removing subvolume {subvolume}");
        }
    }

    private static void Ceph(string what, Action action)
    {
        try
        {
            action();
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, what);
        }
    }
}
