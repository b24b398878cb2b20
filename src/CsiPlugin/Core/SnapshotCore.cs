using System.Globalization;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;

namespace ManagedCephFuse.CsiPlugin.Core;

/// <summary>
/// Subvolume snapshots and clones (ceph-csi's <c>core/snapshot.go</c> and <c>core/clone.go</c>): create, info and
/// remove a snapshot; start a clone of a snapshot into a new subvolume of the group and follow its state.
/// Pacific needs no snapshot protection before cloning, so none is asked for.
/// </summary>
internal static class SnapshotCore
{
    public static void Create(CephAdmin admin, Subvolume source, string snapshot)
    {
        try
        {
            admin.CreateSubvolumeSnapshot(source.FsName, source.Name, snapshot, source.Group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            throw CoreException.NotFound($"subvolume {source} does not exist: {e.Message}");
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"creating snapshot {snapshot} of {source}");
        }
    }

    /// <summary>The snapshot's info, or null when it or its subvolume does not exist.</summary>
    public static SubvolumeSnapshotInfo? TryGetInfo(CephAdmin admin, Subvolume source, string snapshot)
    {
        try
        {
            return admin.GetSubvolumeSnapshotInfo(source.FsName, source.Name, snapshot, source.Group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"getting snapshot {snapshot} of {source}");
        }
    }

    /// <summary>Removes the snapshot; a missing one is fine, one that clones still copy from is a precondition failure.</summary>
    public static void Remove(CephAdmin admin, Subvolume source, string snapshot)
    {
        try
        {
            admin.RemoveSubvolumeSnapshot(source.FsName, source.Name, snapshot, source.Group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
        }
        catch (CephException e) when (e.Errno == Errno.EAGAIN)
        {
            throw CoreException.Precondition($"snapshot {snapshot} of {source} has pending clones: {e.Message}");
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"removing snapshot {snapshot} of {source}");
        }
    }

    /// <summary>Starts copying <paramref name="snapshot"/> of <paramref name="source"/> into the new subvolume <paramref name="clone"/>.</summary>
    public static void Clone(CephAdmin admin, Subvolume source, string snapshot, Subvolume clone, string? pool)
    {
        try
        {
            admin.CloneSubvolumeSnapshot(source.FsName, source.Name, snapshot, clone.Name, new CloneOptions
            {
                Group = source.Group,
                TargetGroup = clone.Group,
                PoolLayout = pool,
            });
        }
        catch (CephException e) when (pool is not null && e.Errno is Errno.EINVAL)
        {
            throw CoreException.InvalidInput($"cloning snapshot {snapshot} of {source} into pool {pool}: {e.Message}");
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            throw CoreException.NotFound($"snapshot {snapshot} of {source} does not exist: {e.Message}");
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"cloning snapshot {snapshot} of {source} into {clone}");
        }
    }

    /// <summary>The clone's status, or null when no subvolume of that name exists; a subvolume that is no clone is complete.</summary>
    public static CloneStatus? TryGetCloneStatus(CephAdmin admin, Subvolume clone)
    {
        try
        {
            return admin.GetCloneStatus(clone.FsName, clone.Name, clone.Group);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        catch (CephException e) when (e.Errno == Errno.EOPNOTSUPP)
        {
            return new CloneStatus(CloneState.Complete, null, null, null, null, null, null);
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"getting the clone status of {clone}");
        }
    }

    /// <summary>The mgr's <c>created_at</c> (<c>2024-01-02 03:04:05.123456</c>, UTC) as a point in time.</summary>
    public static DateTimeOffset ParseCreatedAt(string createdAt) =>
        DateTimeOffset.TryParseExact(createdAt, ["yyyy-MM-dd HH:mm:ss.ffffff", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw CoreException.Internal($"snapshot creation time '{createdAt}' is not in the mgr's format");
}
