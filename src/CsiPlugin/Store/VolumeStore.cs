using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>
/// A volume as the journal knows it: the ID the CO holds, its UUID, its request name, its subvolume and, for a
/// snapshot-backed volume (no subvolume of its own), the ID of the snapshot it shows.
/// </summary>
internal sealed record VolumeRecord(string VolumeId, string Uuid, string RequestName, Subvolume Subvolume, string BackingSnapshotId = "")
{
    public bool IsSnapshotBacked => BackingSnapshotId.Length > 0;
}

/// <summary>A snapshot as the journal knows it: its ID, UUID, request name, Ceph snapshot name and source subvolume.</summary>
internal sealed record SnapshotRecord(string SnapshotId, string Uuid, string RequestName, string SnapshotName, Subvolume Source);

/// <summary>
/// Volumes and snapshots by request name and by ID, over one admin session and one file system (ceph-csi's
/// <c>store/fsjournal.go</c>, <c>NewVolumeOptionsFromVolID</c>, <c>NewSnapshotOptionsFromID</c> and
/// <c>store/backingsnapshot.go</c>): finding a name's volume or snapshot (removing reservations whose subvolume,
/// snapshot or clone is gone), reserving names, undoing reservations, resolving IDs, and counting the volumes a
/// snapshot backs. Callers hold the request-name lock for anything that writes.
/// </summary>
internal sealed class VolumeStore : IDisposable
{
    private readonly RadosIoContext _io;
    private readonly OmapJournal _volumes;
    private readonly OmapJournal _snapshots;
    private readonly string _clusterId;
    private readonly string _group;

    private VolumeStore(CephAdmin admin, FileSystemLocation fs, string clusterId, string group, string instanceId)
    {
        Admin = admin;
        Fs = fs;
        _clusterId = clusterId;
        _group = group;
        _io = OpenJournal(admin, fs);
        _volumes = new OmapJournal(_io, JournalLayout.Volumes, instanceId);
        _snapshots = new OmapJournal(_io, JournalLayout.Snapshots, instanceId);
    }

    public CephAdmin Admin { get; }
    public FileSystemLocation Fs { get; }

    /// <summary>The store of a file system named in a StorageClass.</summary>
    public static VolumeStore Open(CephAdmin admin, FileSystemLocation fs, string clusterId, string group, string instanceId) =>
        new(admin, fs, clusterId, group, instanceId);

    /// <summary>The store of the file system a volume or snapshot ID names; NotFound when no file system has that id any more.</summary>
    public static VolumeStore OpenById(CephAdmin admin, string id, VolumeId decoded, string group, string instanceId)
    {
        var fs = FileSystems.ById(admin, decoded.LocationId)
            ?? throw CoreException.NotFound($"{id}: no file system with id {decoded.LocationId}");
        return new VolumeStore(admin, fs, decoded.ClusterId, group, instanceId);
    }

    /// <summary>The ID handed to the CO for a reservation's UUID; an invalid input when the cluster id does not fit.</summary>
    public string EncodeId(string uuid)
    {
        try
        {
            return VolumeId.Create(_clusterId, Fs.Fscid, uuid).Encode();
        }
        catch (FormatException e)
        {
            throw CoreException.InvalidInput(e.Message);
        }
    }

    // --- volumes ------------------------------------------------------------------------------------

    /// <summary>
    /// The volume reserved for <paramref name="requestName"/> and its subvolume's info (null for a snapshot-backed
    /// volume), or null. A reservation whose journal object or subvolume is gone is stale and removed. With
    /// <paramref name="isClone"/> the clone must be complete: pending or copying is "not ready" (retry); a failed
    /// clone is removed with its reservation and reported. <paramref name="onCloneGone"/> runs for a clone that is
    /// missing or removed (a volume clone's temporary snapshot goes with it).
    /// </summary>
    public (VolumeRecord Record, SubvolumeInfo? Info)? FindByName(string requestName, string namePrefix, bool isClone,
        Action<string> onStale, Action<VolumeRecord>? onCloneGone = null)
    {
        var found = Journal(() => _volumes.CheckReservation(requestName, namePrefix, onStale), requestName);
        if (found is not var (reservation, attributes))
            return null;
        var record = Record(reservation.Uuid, requestName, reservation.ImageName, attributes.BackingSnapshotId);
        if (record.IsSnapshotBacked)
            return (record, null);
        if (isClone)
        {
            var status = SnapshotCore.TryGetCloneStatus(Admin, record.Subvolume);
            switch (status?.State)
            {
                case null:
                    onStale($"clone {record.Subvolume} is missing");
                    onCloneGone?.Invoke(record);
                    Undo(record);
                    return null;
                case CloneState.Pending or CloneState.InProgress:
                    throw new CoreException(Failure.NotReady,
                        $"clone {record.Subvolume} is {(status.State == CloneState.Pending ? "pending" : "in progress")}; retry later");
                case not CloneState.Complete:
                    SubvolumeCore.Purge(Admin, record.Subvolume, force: true);
                    onCloneGone?.Invoke(record);
                    Undo(record);
                    throw CoreException.Internal($"clone {record.Subvolume} {status.State.ToString().ToLowerInvariant()}" +
                        (status.FailureMessage is { } why ? $" (errno {status.FailureErrno}: {why})" : "") + "; it was removed, retry to clone again");
            }
        }
        if (SubvolumeCore.TryGetInfo(Admin, record.Subvolume) is { } info)
            return (record, info);
        onStale($"subvolume {record.Subvolume} is missing");
        Undo(record);
        return null;
    }

    /// <summary>Reserves a fresh UUID and subvolume name for <paramref name="requestName"/>.</summary>
    public VolumeRecord Reserve(string requestName, string namePrefix, string backingSnapshotId = "")
    {
        EncodeId(Guid.Empty.ToString("D")); // refuse a cluster id that cannot be encoded before writing anything
        var reservation = Journal(() => _volumes.ReserveName(requestName, namePrefix, backingSnapshotId: backingSnapshotId), requestName);
        return Record(reservation.Uuid, requestName, reservation.ImageName, backingSnapshotId);
    }

    /// <summary>Removes the journal entries of <paramref name="record"/> (its subvolume must be gone first).</summary>
    public void Undo(VolumeRecord record) =>
        Journal(() => _volumes.UndoReservation(record.RequestName, record.Subvolume.Name), record.RequestName);

    /// <summary>
    /// The volume a decoded ID names. <paramref name="knownSubvolume"/> (from a volume context) spares the journal
    /// look-up; without it a missing journal object is NotFound.
    /// </summary>
    public VolumeRecord Resolve(string volumeId, VolumeId decoded, string? knownSubvolume = null)
    {
        if (!string.IsNullOrEmpty(knownSubvolume))
            return Record(decoded.ObjectUuid, "", knownSubvolume, "");
        var attributes = Journal(() => _volumes.GetAttributes(decoded.ObjectUuid), volumeId)
            ?? throw CoreException.NotFound($"volume {volumeId}: no journal object {_volumes.UuidObject(decoded.ObjectUuid)}");
        return Record(decoded.ObjectUuid, attributes.RequestName, attributes.ImageName, attributes.BackingSnapshotId);
    }

    // --- snapshots ----------------------------------------------------------------------------------

    /// <summary>
    /// The snapshot reserved for <paramref name="requestName"/> and its info, or null; a reservation whose snapshot
    /// is gone is stale and removed. The name reserved for a snapshot of another subvolume is a conflict.
    /// </summary>
    public (SnapshotRecord Record, SubvolumeSnapshotInfo Info)? FindSnapshotByName(string requestName, string namePrefix,
        Subvolume source, Action<string> onStale)
    {
        (Reservation, JournalAttributes)? found;
        try
        {
            found = Journal(() => _snapshots.CheckReservation(requestName, namePrefix, onStale, source.Name), requestName);
        }
        catch (JournalConflictException e)
        {
            throw new CoreException(Failure.Conflict, e.Message);
        }
        if (found is not var (reservation, _))
            return null;
        var record = SnapshotRecordOf(reservation.Uuid, requestName, reservation.ImageName, source.Name);
        if (SnapshotCore.TryGetInfo(Admin, record.Source, record.SnapshotName) is { } info)
            return (record, info);
        onStale($"snapshot {record.SnapshotName} of {record.Source} is missing");
        Undo(record);
        return null;
    }

    public SnapshotRecord ReserveSnapshot(string requestName, string namePrefix, Subvolume source)
    {
        var reservation = Journal(() => _snapshots.ReserveName(requestName, namePrefix, source.Name), requestName);
        return SnapshotRecordOf(reservation.Uuid, requestName, reservation.ImageName, source.Name);
    }

    public void Undo(SnapshotRecord record) =>
        Journal(() => _snapshots.UndoReservation(record.RequestName, record.SnapshotName), record.RequestName);

    /// <summary>The snapshot a decoded snapshot ID names; NotFound when its journal object is gone.</summary>
    public SnapshotRecord ResolveSnapshot(string snapshotId, VolumeId decoded)
    {
        var attributes = Journal(() => _snapshots.GetAttributes(decoded.ObjectUuid), snapshotId)
            ?? throw CoreException.NotFound($"snapshot {snapshotId}: no journal object {_snapshots.UuidObject(decoded.ObjectUuid)}");
        return SnapshotRecordOf(decoded.ObjectUuid, attributes.RequestName, attributes.ImageName, attributes.SourceName);
    }

    // --- snapshot-backed volumes ----------------------------------------------------------------------

    /// <summary>Records that <paramref name="volume"/> shows its backing snapshot (and that the snapshot itself exists).</summary>
    public void AddBackingReference(VolumeRecord volume) =>
        RefTracker.Add(_io, RefTracker.BackingSnapshotTracker(volume.BackingSnapshotId), [volume.BackingSnapshotId, volume.Subvolume.Name]);

    /// <summary>Drops <paramref name="volume"/>'s reference; true when nothing refers to the snapshot any more.</summary>
    public bool RemoveBackingReference(VolumeRecord volume) =>
        RefTracker.Remove(_io, RefTracker.BackingSnapshotTracker(volume.BackingSnapshotId), [volume.Subvolume.Name], []);

    /// <summary>
    /// DeleteSnapshot's side: masks the snapshot's own reference; true when no snapshot-backed volume uses it (delete
    /// it now), false when the last such volume's deletion will.
    /// </summary>
    public bool ReleaseSnapshotReference(string snapshotId) =>
        RefTracker.Remove(_io, RefTracker.BackingSnapshotTracker(snapshotId), [], [snapshotId]);

    public void Dispose() => _io.Dispose();

    private VolumeRecord Record(string uuid, string requestName, string subvolumeName, string backingSnapshotId) =>
        new(EncodeId(uuid), uuid, requestName, new Subvolume(Fs.Name, _group, subvolumeName), backingSnapshotId);

    private SnapshotRecord SnapshotRecordOf(string uuid, string requestName, string snapshotName, string sourceName) =>
        new(EncodeId(uuid), uuid, requestName, snapshotName, new Subvolume(Fs.Name, _group, sourceName));

    private static RadosIoContext OpenJournal(CephAdmin admin, FileSystemLocation fs)
    {
        try
        {
            return admin.Cluster.OpenIoContext(fs.MetadataPool, OmapJournal.RadosNamespace);
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"opening the journal in pool {fs.MetadataPool}");
        }
    }

    private static void Journal(Action action, string what) => Journal(() =>
    {
        action();
        return true;
    }, what);

    private static T Journal<T>(Func<T> action, string what)
    {
        try
        {
            return action();
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"journal of {what}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw CoreException.Internal($"journal of {what}: {e.Message}");
        }
    }
}
