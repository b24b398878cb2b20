using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Rados;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>A name reservation: the volume's UUID and its subvolume name (prefix + UUID).</summary>
internal sealed record Reservation(string Uuid, string SubvolumeName);

/// <summary>What the per-volume journal object records.</summary>
internal sealed record VolumeAttributes(string RequestName, string SubvolumeName);

/// <summary>
/// ceph-csi's omap journal for volumes (<c>internal/journal/voljournal.go</c>), laid out exactly as the Go
/// driver lays it out so the two can take over each other's volumes. In the file system's metadata pool,
/// RADOS namespace <c>csi</c>:
/// <list type="bullet">
/// <item><c>csi.volumes.&lt;instanceid&gt;</c>: key <c>csi.volume.&lt;request name&gt;</c> → volume UUID;</item>
/// <item><c>csi.volume.&lt;uuid&gt;</c>: keys <c>csi.volname</c> (the request name) and <c>csi.imagename</c>
/// (the subvolume name).</item>
/// </list>
/// Reservations are made UUID object first, directory key second, and undone in the reverse order; callers
/// hold the request-name lock.
/// </summary>
internal sealed class VolumeJournal(RadosIoContext io, string instanceId)
{
    public const string RadosNamespace = "csi";
    public const string DefaultNamePrefix = "csi-vol-";
    public const string DirectoryPrefix = "csi.volumes.";
    public const string NameKeyPrefix = "csi.volume.";
    public const string UuidObjectPrefix = "csi.volume.";
    public const string VolNameKey = "csi.volname";
    public const string ImageNameKey = "csi.imagename";
    private const int UuidLength = 36;

    public string DirectoryObject { get; } = DirectoryPrefix + instanceId;

    public static string UuidObject(string uuid) => UuidObjectPrefix + uuid;

    /// <summary>
    /// The existing reservation of <paramref name="requestName"/>, or null. A reservation whose per-volume
    /// object is gone is stale (an interrupted create or delete) and is removed.
    /// </summary>
    public Reservation? CheckReservation(string requestName, string namePrefix, Action<string>? onStale = null)
    {
        string key = NameKeyPrefix + requestName;
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
        return new Reservation(uuid, attributes.SubvolumeName.Length > 0 ? attributes.SubvolumeName : namePrefix + uuid);
    }

    /// <summary>Reserves a fresh UUID for <paramref name="requestName"/> (retrying on a UUID collision).</summary>
    public Reservation ReserveName(string requestName, string namePrefix)
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
        string subvolume = namePrefix + uuid;
        try
        {
            io.SetOmapValues(DirectoryObject, new Dictionary<string, string> { [NameKeyPrefix + requestName] = uuid });
            io.SetOmapValues(UuidObject(uuid), new Dictionary<string, string>
            {
                [VolNameKey] = requestName,
                [ImageNameKey] = subvolume,
            });
        }
        catch
        {
            UndoReservation(requestName, subvolume);
            throw;
        }
        return new Reservation(uuid, subvolume);
    }

    /// <summary>Removes the per-volume object (when the subvolume name is known) and then the directory key.</summary>
    public void UndoReservation(string requestName, string? subvolumeName)
    {
        if (subvolumeName is { Length: >= UuidLength })
        {
            string uuid = subvolumeName[^UuidLength..];
            if (!Guid.TryParseExact(uuid, "D", out _))
                throw new FormatException($"no UUID at the end of '{subvolumeName}'");
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
            io.RemoveOmapKeys(DirectoryObject, [NameKeyPrefix + requestName]);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
        }
    }

    /// <summary>The per-volume object's record, or null when the object does not exist.</summary>
    public VolumeAttributes? GetAttributes(string uuid)
    {
        Dictionary<string, string> values;
        try
        {
            values = io.GetOmapValues(UuidObject(uuid), [VolNameKey, ImageNameKey]);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
        values.TryGetValue(VolNameKey, out string? name);
        // csi.imagename came later; older volumes are "csi-vol-<uuid>"
        if (!values.TryGetValue(ImageNameKey, out string? image))
            image = DefaultNamePrefix + uuid;
        return new VolumeAttributes(name ?? "", image);
    }
}
