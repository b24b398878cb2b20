using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Admin;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>A volume as the journal knows it: the ID the CO holds, its UUID, its request name and its subvolume.</summary>
internal sealed record VolumeRecord(string VolumeId, string Uuid, string RequestName, Subvolume Subvolume);

/// <summary>
/// Volumes by request name and by volume ID, over one admin session and one file system (ceph-csi's
/// <c>store/fsjournal.go</c> and <c>NewVolumeOptionsFromVolID</c>): finding a name's volume (and removing a
/// reservation whose subvolume is gone), reserving a name, undoing a reservation, and resolving a volume ID to
/// its subvolume. Callers hold the request-name lock for anything that writes.
/// </summary>
internal sealed class VolumeStore : IDisposable
{
    private readonly RadosIoContext _io;
    private readonly VolumeJournal _journal;
    private readonly string _clusterId;
    private readonly string _group;

    private VolumeStore(CephAdmin admin, FileSystemLocation fs, string clusterId, string group, string instanceId)
    {
        Admin = admin;
        Fs = fs;
        _clusterId = clusterId;
        _group = group;
        _io = OpenJournal(admin, fs);
        _journal = new VolumeJournal(_io, instanceId);
    }

    public CephAdmin Admin { get; }
    public FileSystemLocation Fs { get; }

    /// <summary>The store of a file system named in a StorageClass.</summary>
    public static VolumeStore Open(CephAdmin admin, FileSystemLocation fs, string clusterId, string group, string instanceId) =>
        new(admin, fs, clusterId, group, instanceId);

    /// <summary>The store of the file system a volume ID names; NotFound when no file system has that id any more.</summary>
    public static VolumeStore OpenById(CephAdmin admin, string volumeId, VolumeId decoded, string group, string instanceId)
    {
        var fs = FileSystems.ById(admin, decoded.LocationId)
            ?? throw CoreException.NotFound($"volume {volumeId}: no file system with id {decoded.LocationId}");
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

    /// <summary>
    /// The volume reserved for <paramref name="requestName"/> and its subvolume's info, or null. A reservation whose
    /// journal object or subvolume is gone is stale (an interrupted create or delete) and is removed.
    /// </summary>
    public (VolumeRecord Record, SubvolumeInfo Info)? FindByName(string requestName, string namePrefix, Action<string> onStale)
    {
        var reservation = Journal(() => _journal.CheckReservation(requestName, namePrefix, onStale), requestName);
        if (reservation is null)
            return null;
        var record = Record(reservation.Uuid, requestName, reservation.SubvolumeName);
        if (SubvolumeCore.TryGetInfo(Admin, record.Subvolume) is { } info)
            return (record, info);
        onStale($"subvolume {record.Subvolume} is missing");
        Undo(record);
        return null;
    }

    /// <summary>Reserves a fresh UUID and subvolume name for <paramref name="requestName"/>.</summary>
    public VolumeRecord Reserve(string requestName, string namePrefix)
    {
        EncodeId(Guid.Empty.ToString("D")); // refuse a cluster id that cannot be encoded before writing anything
        var reservation = Journal(() => _journal.ReserveName(requestName, namePrefix), requestName);
        return Record(reservation.Uuid, requestName, reservation.SubvolumeName);
    }

    /// <summary>Removes the journal entries of <paramref name="record"/> (its subvolume must be gone first).</summary>
    public void Undo(VolumeRecord record) =>
        Journal(() =>
        {
            _journal.UndoReservation(record.RequestName, record.Subvolume.Name);
            return true;
        }, record.RequestName);

    /// <summary>
    /// The volume a decoded ID names. <paramref name="knownSubvolume"/> (from a volume context) spares the journal
    /// look-up; without it a missing journal object is NotFound.
    /// </summary>
    public VolumeRecord Resolve(string volumeId, VolumeId decoded, string? knownSubvolume = null)
    {
        if (!string.IsNullOrEmpty(knownSubvolume))
            return Record(decoded.ObjectUuid, "", knownSubvolume);
        var attributes = Journal(() => _journal.GetAttributes(decoded.ObjectUuid), volumeId)
            ?? throw CoreException.NotFound($"volume {volumeId}: no journal object {VolumeJournal.UuidObject(decoded.ObjectUuid)}");
        return Record(decoded.ObjectUuid, attributes.RequestName, attributes.SubvolumeName);
    }

    public void Dispose() => _io.Dispose();

    private VolumeRecord Record(string uuid, string requestName, string subvolumeName) =>
        new(EncodeId(uuid), uuid, requestName, new Subvolume(Fs.Name, _group, subvolumeName));

    private static RadosIoContext OpenJournal(CephAdmin admin, FileSystemLocation fs)
    {
        try
        {
            return admin.Cluster.OpenIoContext(fs.MetadataPool, VolumeJournal.RadosNamespace);
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"opening the journal in pool {fs.MetadataPool}");
        }
    }

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
