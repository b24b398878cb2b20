using System.Collections.Concurrent;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CsiPlugin.Util;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>
/// The subvolume operations behind the controller (ceph-csi's <c>core/volume.go</c>): group creation (once per
/// cluster, file system and group), create with quota and mode 777, path, quota, resize without shrinking,
/// and purge. Ceph errors become gRPC errors here.
/// </summary>
internal sealed class SubvolumeCore
{
    public const string SubvolumeMode = "777";
    private readonly ConcurrentDictionary<string, bool> _groupsMade = new(StringComparer.Ordinal);

    public void EnsureGroup(CephAdmin admin, string clusterId, string fsName, string group)
    {
        string key = $"{clusterId}/{fsName}/{group}";
        if (_groupsMade.ContainsKey(key))
            return;
        Ceph($"creating subvolume group {fsName}/{group}", () => admin.CreateSubvolumeGroup(fsName, group));
        _groupsMade[key] = true;
    }

    public static void Create(CephAdmin admin, string fsName, string group, string name, long size, string? pool)
    {
        try
        {
            admin.CreateSubvolume(fsName, name, new SubvolumeCreateOptions
            {
                Group = group,
                Size = size > 0 ? size : null,
                Mode = SubvolumeMode,
                PoolLayout = pool,
            });
        }
        catch (CephException e) when (pool is not null && e.Errno is Errno.EINVAL or Errno.ENOENT)
        {
            throw CsiErrors.InvalidArgument($"creating subvolume {fsName}/{group}/{name} in pool {pool}: {e.Message}");
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"creating subvolume {fsName}/{group}/{name}");
        }
    }

    /// <summary>The subvolume's path, or null when it does not exist.</summary>
    public static string? TryGetPath(CephAdmin admin, string fsName, string group, string name)
    {
        try
        {
            return admin.GetSubvolumePath(fsName, name, group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"getting the path of subvolume {fsName}/{group}/{name}");
        }
    }

    /// <summary>The subvolume's info, or null when it does not exist.</summary>
    public static SubvolumeInfo? TryGetInfo(CephAdmin admin, string fsName, string group, string name)
    {
        try
        {
            return admin.GetSubvolumeInfo(fsName, name, group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"getting subvolume {fsName}/{group}/{name}");
        }
    }

    /// <summary>Grows the quota to <paramref name="size"/> bytes (ceph-csi passes no_shrink, as we do).</summary>
    public static void Resize(CephAdmin admin, string fsName, string group, string name, long size) =>
        Ceph($"resizing subvolume {fsName}/{group}/{name} to {size} bytes",
            () => admin.ResizeSubvolume(fsName, name, size, group, noShrink: true));

    /// <summary>Removes the subvolume; a missing one is fine, one with snapshots is FailedPrecondition.</summary>
    public static void Purge(CephAdmin admin, string fsName, string group, string name)
    {
        try
        {
            admin.RemoveSubvolume(fsName, name, group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
        }
        catch (CephException e) when (e.Errno is Errno.ENOTEMPTY or Errno.EAGAIN)
        {
            throw CsiErrors.FailedPrecondition($"subvolume {fsName}/{group}/{name} cannot be removed yet: {e.Message}");
        }
        catch (CephException e)
        {
            throw CsiErrors.FromCeph(e, $"removing subvolume {fsName}/{group}/{name}");
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
            throw CsiErrors.FromCeph(e, what);
        }
    }
}
