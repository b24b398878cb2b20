using Csi.V1;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CsiPlugin.Core;
using ManagedCephFuse.CsiPlugin.Logging;
using ManagedCephFuse.CsiPlugin.Store;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>A CreateVolume content source: exactly one of a snapshot ID and a volume ID.</summary>
internal sealed record ContentSource(string? SnapshotId, string? VolumeId)
{
    public string Id => SnapshotId ?? VolumeId!;

    /// <summary>The source of a request (null when it has none); InvalidArgument when it names nothing.</summary>
    public static ContentSource? From(VolumeContentSource? source, string rpc) => source?.TypeCase switch
    {
        null => null,
        VolumeContentSource.TypeOneofCase.Snapshot => new(Validation.Require(source.Snapshot.SnapshotId, "volume_content_source.snapshot.snapshot_id", rpc), null),
        VolumeContentSource.TypeOneofCase.Volume => new(null, Validation.Require(source.Volume.VolumeId, "volume_content_source.volume.volume_id", rpc)),
        _ => throw CsiErrors.InvalidArgument($"{rpc}: the volume content source names neither a snapshot nor a volume"),
    };
}

/// <summary>
/// Volumes made from a content source (ceph-csi's <c>core/clone.go</c> and <c>store/backingsnapshot.go</c>): a
/// restore clones the snapshot; a volume clone snapshots its source under the new subvolume's name, clones that
/// and removes it once the copy is complete; a snapshot-backed volume only references the snapshot. A copy runs
/// in the mgr: until it is complete CreateVolume answers Aborted and the CO's retry finds it again.
/// </summary>
internal sealed partial class ControllerService
{
    /// <summary>
    /// What a new volume copies or shows. <see cref="SnapshotName"/> is null for a volume source (the temporary
    /// snapshot is named after the new subvolume); <see cref="Size"/> is the source subvolume's quota.
    /// </summary>
    private sealed record Origin(Subvolume Source, string? SnapshotId, string? SnapshotName, long? Size, string SnapshotParentRoot);

    private static Origin ResolveSource(VolumeStore store, VolumeOptions options, ContentSource source, long size)
    {
        string id = source.Id;
        string kind = source.SnapshotId is null ? "volume" : "snapshot";
        if (!VolumeId.TryDecode(id, out var decoded, out string error))
            throw CsiErrors.NotFound($"source {kind} {id}: {error}");
        if (decoded.ClusterId != options.ClusterId || decoded.LocationId != store.Fs.Fscid)
            throw CsiErrors.InvalidArgument($"source {kind} {id} is not in cluster {options.ClusterId}, file system {store.Fs.Name}");
        Subvolume parent;
        string? snapshotName = null;
        if (source.SnapshotId is not null)
        {
            var snapshot = store.ResolveSnapshot(id, decoded);
            parent = snapshot.Source;
            snapshotName = snapshot.SnapshotName;
            if (SnapshotCore.TryGetInfo(store.Admin, parent, snapshotName) is null)
                throw CsiErrors.NotFound($"source snapshot {id}: snapshot {snapshotName} of {parent} does not exist");
        }
        else
        {
            var volume = store.Resolve(id, decoded);
            if (volume.IsSnapshotBacked)
                throw CsiErrors.InvalidArgument($"source volume {id} is snapshot-backed; cloning it is not supported");
            parent = volume.Subvolume;
        }
        var info = SubvolumeCore.TryGetInfo(store.Admin, parent)
            ?? throw CsiErrors.NotFound($"source {kind} {id}: subvolume {parent} does not exist");
        if (size > 0 && info.BytesQuota is { } quota && size < quota)
            throw CsiErrors.OutOfRange($"the requested {size} bytes are less than the source {kind}'s {quota} bytes");
        string root = info.Path.TrimEnd('/');
        return new Origin(parent, source.SnapshotId, snapshotName, info.BytesQuota, root[..Math.Max(1, root.LastIndexOf('/'))]);
    }

    /// <summary>Starts the copy of <paramref name="origin"/> into <paramref name="reserved"/> (or, snapshot-backed, references it).</summary>
    private void StartCopy(VolumeStore store, VolumeOptions options, Origin origin, VolumeRecord reserved)
    {
        var admin = store.Admin;
        if (options.BackingSnapshot)
        {
            try
            {
                store.AddBackingReference(reserved);
                // a DeleteSnapshot may have run between the look-up and the reference
                if (SnapshotCore.TryGetInfo(admin, origin.Source, origin.SnapshotName!) is null)
                    throw CsiErrors.NotFound($"source snapshot {origin.SnapshotId} was deleted meanwhile");
            }
            catch
            {
                Cleanup(reserved.RequestName, () => store.RemoveBackingReference(reserved), () => store.Undo(reserved));
                throw;
            }
            Log.SnapshotBackedVolumeCreated(logger, reserved.VolumeId, origin.SnapshotId!);
            return;
        }
        string snapshot = origin.SnapshotName ?? reserved.Subvolume.Name;
        try
        {
            core.EnsureGroup(admin, options.ClusterId, reserved.Subvolume);
            if (origin.SnapshotName is null)
                SnapshotCore.Create(admin, origin.Source, snapshot);
            SnapshotCore.Clone(admin, origin.Source, snapshot, reserved.Subvolume, options.Pool);
        }
        catch
        {
            Cleanup(reserved.RequestName, () => SubvolumeCore.Purge(admin, reserved.Subvolume, force: true),
                () => RemoveTemporarySnapshot(admin, origin, reserved), () => store.Undo(reserved));
            throw;
        }
        Log.CloneStarted(logger, reserved.Subvolume.ToString(), origin.Source.ToString(), snapshot, reserved.RequestName);
    }

    /// <summary>A complete clone: the temporary snapshot goes, the quota becomes the requested size. Returns the capacity.</summary>
    private long FinishClone(VolumeStore store, Origin origin, VolumeRecord volume, SubvolumeInfo info, long size)
    {
        RemoveTemporarySnapshot(store.Admin, origin, volume);
        if (size <= 0 || info.BytesQuota == size)
            return info.BytesQuota ?? 0;
        SubvolumeCore.Resize(store.Admin, volume.Subvolume, size);
        Log.VolumeResized(logger, volume.VolumeId, size);
        return size;
    }

    /// <summary>A volume clone's temporary snapshot, named after the clone; nothing for a snapshot source.</summary>
    private static void RemoveTemporarySnapshot(CephAdmin admin, Origin? origin, VolumeRecord clone)
    {
        if (origin is { SnapshotName: null })
            SnapshotCore.Remove(admin, origin.Source, clone.Subvolume.Name);
    }

    /// <summary>
    /// A snapshot-backed volume goes: its reference goes, and when the snapshot was deleted meanwhile (its own
    /// reference masked) and this was the last volume on it, the snapshot goes too.
    /// </summary>
    private void ReleaseBackingSnapshot(VolumeStore store, VolumeRecord volume)
    {
        using var snapshotLock = locks.AcquireSnapshot(volume.BackingSnapshotId);
        if (!store.RemoveBackingReference(volume) || !VolumeId.TryDecode(volume.BackingSnapshotId, out var decoded, out _))
            return;
        SnapshotRecord snapshot;
        try
        {
            snapshot = store.ResolveSnapshot(volume.BackingSnapshotId, decoded);
        }
        catch (CoreException e) when (e.Failure == Failure.NotFound)
        {
            return;
        }
        SnapshotCore.Remove(store.Admin, snapshot.Source, snapshot.SnapshotName);
        store.Undo(snapshot);
        Log.SnapshotDeleted(logger, volume.BackingSnapshotId, snapshot.SnapshotName);
    }

    /// <summary>Runs each undo step; a failing one is logged and the next still runs (the original error is what the CO sees).</summary>
    private void Cleanup(string name, params Action[] steps)
    {
        foreach (var step in steps)
        {
            try
            {
                step();
            }
            catch (CoreException e)
            {
                Log.UndoFailed(logger, name, e.Message);
            }
        }
    }
}
