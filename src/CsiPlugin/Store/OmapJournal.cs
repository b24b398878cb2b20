using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Rados;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>The names one kind of journal uses (ceph-csi's <c>journal.Config</c>).</summary>
internal sealed record JournalLayout(
    string DirectoryPrefix,
    string NameKeyPrefix,
    string UuidObjectPrefix,
    string RequestNameKey,
    string DefaultNamePrefix,
    string? SourceKey)
{
    /// <summary><c>csi.volumes.&lt;instance&gt;</c>: <c>csi.volume.&lt;name&gt;</c> → UUID; <c>csi.volume.&lt;uuid&gt;</c>: <c>csi.volname</c>, <c>csi.imagename</c>.</summary>
    public static readonly JournalLayout Volumes = new("csi.volumes.", "csi.volume.", "csi.volume.", "csi.volname", "csi-vol-", null);

    /// <summary><c>csi.snaps.&lt;instance&gt;</c>: <c>csi.snap.&lt;name&gt;</c> → UUID; <c>csi.snap.&lt;uuid&gt;</c>: <c>csi.snapname</c>, <c>csi.imagename</c>, <c>csi.source</c>.</summary>
    public static readonly JournalLayout Snapshots = new("csi.snaps.", "csi.snap.", "csi.snap.", "csi.snapname", "csi-snap-", "csi.source");

    public bool IsSnapshot => SourceKey is not null;
}

/// <summary>A name reservation: the UUID and the Ceph-side name (prefix + UUID: a subvolume or snapshot name).</summary>
internal sealed record Reservation(string Uuid, string ImageName);

/// <summary>What a per-UUID journal object records (ceph-csi's <c>ImageAttributes</c>).</summary>
internal sealed record JournalAttributes(string RequestName, string ImageName, string SourceName, string BackingSnapshotId);

/// <summary>
/// ceph-csi's omap journal (<c>internal/journal/voljournal.go</c>), laid out exactly as the Go driver lays it
/// out so the two can take over each other's volumes and snapshots. In the file system's metadata pool, RADOS
/// namespace <c>csi</c>: a directory object per instance id mapping request names to UUIDs, and one object per
/// UUID holding the request name (<c>csi.volname</c> or <c>csi.snapname</c>), the Ceph-side name
/// (<c>csi.imagename</c>) and, for snapshots, the source subvolume (<c>csi.source</c>); a snapshot-backed volume
/// also names its snapshot's ID (<c>csi.volume.backingsnapshotid</c>). Reservations are made UUID object first,
/// directory key second, and undone in the reverse order; callers hold the request-name lock.
/// </summary>
internal sealed class OmapJournal(RadosIoContext io, JournalLayout layout, string instanceId)
{
    public const string RadosNamespace = "csi";
    public const string ImageNameKey = "csi.imagename";
    public const string BackingSnapshotIdKey = "csi.volume.backingsnapshotid";
    private const int UuidLength = 36;

    public JournalLayout Layout => layout;

    public string DirectoryObject { get; } = layout.DirectoryPrefix + instanceId;

    public string UuidObject(string uuid) => layout.UuidObjectPrefix + uuid;

    /// <summary>
    /// The existing reservation of <paramref name="requestName"/>, or null. A reservation whose per-UUID object is
    /// gone is stale (an interrupted create or delete) and is removed. For snapshots the recorded source must be
    /// <paramref name="source"/>, or the name is taken: <see cref="JournalConflictException"/>.
    /// </summary>
    public (Reservation Reservation, JournalAttributes Attributes)? CheckReservation(string requestName, string namePrefix,
        Action<string>? onStale = null, string? source = null)
    {
        string key = layout.NameKeyPrefix + requestName;
        Dictionary<string, string> values;
        try
        {
            values = io.GetOmapValues(DirectoryObject, [key]);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        if (!values.TryGetValue(key, out string? stored))
            return null;
        // "<hex16 pool id>/<uuid>" when the volume lives in another pool (topology); the UUID is what counts
        string uuid = stored.Length == UuidLength ? stored : stored[(stored.LastIndexOf('/') + 1)..];
        var attributes = GetAttributes(uuid);
        if (attributes is null)
        {
            onStale?.Invoke($"journal object {UuidObject(uuid)} is missing");
            UndoReservation(requestName, null);
            return null;
        }
        if (attributes.RequestName != requestName)
            throw new InvalidOperationException($"journal inconsistent: {DirectoryObject} maps {requestName} to {uuid}, " +
                $"but {UuidObject(uuid)} belongs to '{attributes.RequestName}'; clean up by hand");
        if (source is not null && attributes.SourceName != source)
            throw new JournalConflictException($"snapshot name {requestName} is taken by a snapshot of {attributes.SourceName}, not of {source}");
        string image = attributes.ImageName.Length > 0 ? attributes.ImageName : namePrefix + uuid;
        return (new Reservation(uuid, image), attributes);
    }

    /// <summary>Reserves a fresh UUID for <paramref name="requestName"/> (retrying on a UUID collision).</summary>
    public Reservation ReserveName(string requestName, string namePrefix, string? source = null, string? backingSnapshotId = null)
    {
        string uuid = "";
        for (int attempt = 1; ; attempt++)
        {
            uuid = Guid.NewGuid().ToString("D");
            try
            {
                io.CreateObject(UuidObject(uuid), exclusive: true);
                break;
            }
            catch (CephException e) when (e.Errno == Errno.EEXIST && attempt < 5)
            {
            }
        }
        string image = namePrefix + uuid;
        try
        {
            io.SetOmapValues(DirectoryObject, new Dictionary<string, string> { [layout.NameKeyPrefix + requestName] = uuid });
            var values = new Dictionary<string, string>
            {
                [layout.RequestNameKey] = requestName,
                [ImageNameKey] = image,
            };
            if (layout.SourceKey is { } sourceKey)
                values[sourceKey] = source ?? throw new ArgumentNullException(nameof(source), "a snapshot needs its source");
            if (!string.IsNullOrEmpty(backingSnapshotId))
                values[BackingSnapshotIdKey] = backingSnapshotId;
            io.SetOmapValues(UuidObject(uuid), values);
        }
        catch
        {
            UndoReservation(requestName, image);
            throw;
        }
        return new Reservation(uuid, image);
    }

    /// <summary>Removes the per-UUID object (when the image name is known) and then the directory key.</summary>
    public void UndoReservation(string requestName, string? imageName)
    {
        if (imageName is { Length: >= UuidLength })
        {
            string uuid = imageName[^UuidLength..];
            if (!Guid.TryParseExact(uuid, "D", out _))
                throw new FormatException($"no UUID at the end of '{imageName}'");
            try
            {
                io.RemoveObject(UuidObject(uuid));
            }
            catch (CephException e) when (e.Errno == Errno.ENOENT)
            {
            }
        }
        try
        {
            io.RemoveOmapKeys(DirectoryObject, [layout.NameKeyPrefix + requestName]);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
        }
    }

    /// <summary>The per-UUID object's record, or null when the object does not exist.</summary>
    public JournalAttributes? GetAttributes(string uuid)
    {
        Dictionary<string, string> values;
        string[] keys = layout.SourceKey is { } sourceKey
            ? [layout.RequestNameKey, ImageNameKey, sourceKey]
            : [layout.RequestNameKey, ImageNameKey, BackingSnapshotIdKey];
        try
        {
            values = io.GetOmapValues(UuidObject(uuid), keys);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        values.TryGetValue(layout.RequestNameKey, out string? name);
        // csi.imagename came later; older entries are "<default prefix><uuid>"
        if (!values.TryGetValue(ImageNameKey, out string? image))
            image = layout.DefaultNamePrefix + uuid;
        string source = layout.SourceKey is { } k && values.TryGetValue(k, out string? s) ? s : "";
        values.TryGetValue(BackingSnapshotIdKey, out string? backing);
        return new JournalAttributes(name ?? "", image, source, layout.IsSnapshot ? "" : backing ?? "");
    }
}

/// <summary>A request name already reserved for something incompatible (a snapshot of another volume).</summary>
internal sealed class JournalConflictException(string message) : Exception(message);
