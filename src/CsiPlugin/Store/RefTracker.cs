using System.Buffers.Binary;
using ManagedCephFuse.CephClient;
using ManagedCephFuse.CephClient.Rados;
using ManagedCephFuse.CsiPlugin.Core;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>
/// ceph-csi's key-based reference counter (<c>internal/util/reftracker</c>, layout version 1), so that the two
/// drivers agree on who still uses a snapshot that backs read-only volumes. One RADOS object per tracker:
/// xattr <c>csi.ceph.com/rt-version</c> = uint32 1 (big-endian), data = the uint32 count of normal references,
/// omap = reference key → one byte, 1 (normal) or 2 (masked: kept, not counted). Every change asserts the object
/// version it read; a concurrent change answers "not ready" and the CO retries.
/// </summary>
internal static class RefTracker
{
    public const string VersionXattr = "csi.ceph.com/rt-version";
    private const uint Version1 = 1;
    private const string Normal = "\u0001";
    private const string Masked = "\u0002";

    /// <summary>The tracker of a snapshot-backed volume's snapshot.</summary>
    public static string BackingSnapshotTracker(string snapshotId) => "rt-backingsnapshot-" + snapshotId;

    /// <summary>Adds the references not tracked yet; true when this created the tracker.</summary>
    public static bool Add(RadosIoContext io, string tracker, IReadOnlyCollection<string> refs)
    {
        if (ReadVersion(io, tracker) is not { } version)
        {
            using var create = new RadosWriteOperation().CreateExclusive()
                .SetXattr(VersionXattr, Be32(Version1))
                .SetOmap(refs.ToDictionary(r => r, _ => Normal, StringComparer.Ordinal))
                .WriteFull(Be32((uint)refs.Count));
            Write(io, tracker, create);
            return true;
        }
        var (count, found) = Read(io, tracker, refs, version);
        var missing = refs.Where(r => !found.ContainsKey(r)).ToDictionary(r => r, _ => Normal, StringComparer.Ordinal);
        if (missing.Count == 0)
            return false;
        using var add = new RadosWriteOperation().AssertVersion(version)
            .WriteFull(Be32(checked(count + (uint)missing.Count))).SetOmap(missing);
        Write(io, tracker, add);
        return false;
    }

    /// <summary>
    /// Removes <paramref name="remove"/> and masks <paramref name="mask"/> (a masked key no longer counts but keeps
    /// its place); when no normal reference is left the tracker is deleted and true returned. A missing tracker counts as deleted.
    /// </summary>
    public static bool Remove(RadosIoContext io, string tracker, IReadOnlyCollection<string> remove, IReadOnlyCollection<string> mask)
    {
        if (ReadVersion(io, tracker) is not { } version)
            return true;
        var (count, found) = Read(io, tracker, [.. remove, .. mask], version);
        var removeKeys = new List<string>();
        var setKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        uint subtract = 0;
        foreach (string key in remove)
        {
            if (found.TryGetValue(key, out string? type))
            {
                removeKeys.Add(key);
                if (type == Normal)
                    subtract++;
            }
        }
        foreach (string key in mask)
        {
            if (!found.TryGetValue(key, out string? type))
                setKeys[key] = Masked;
            else if (type == Normal)
            {
                setKeys[key] = Masked;
                subtract++;
            }
        }
        if (removeKeys.Count == 0 && setKeys.Count == 0)
            return false;
        if (subtract > count)
            throw CoreException.Internal($"reference tracker {tracker} is corrupt: count {count}, removing {subtract}");
        using var write = new RadosWriteOperation().AssertVersion(version);
        bool deleted = count - subtract == 0;
        if (deleted)
            write.Remove();
        else
            write.WriteFull(Be32(count - subtract)).RemoveOmapKeys(removeKeys).SetOmap(setKeys);
        Write(io, tracker, write);
        return deleted;
    }

    private static ulong? ReadVersion(RadosIoContext io, string tracker)
    {
        byte[] value;
        try
        {
            value = io.GetXattr(tracker, VersionXattr, 4);
        }
        catch (CephException e) when (e.Errno == Errno.ENOENT || e.Errno == Errno.ENODATA)
        {
            return null;
        }
        catch (CephException e)
        {
            throw CoreException.Ceph(e, $"reading reference tracker {tracker}");
        }
        if (value.Length != 4 || BinaryPrimitives.ReadUInt32BigEndian(value) != Version1)
            throw CoreException.Internal($"reference tracker {tracker} has an unknown layout version");
        return io.LastVersion;
    }

    private static (uint Count, Dictionary<string, string> Found) Read(RadosIoContext io, string tracker,
        IReadOnlyCollection<string> keys, ulong version)
    {
        try
        {
            var (data, omap) = io.Read(tracker, 4, [.. keys], version);
            if (data.Length != 4)
                throw CoreException.Internal($"reference tracker {tracker} holds {data.Length} bytes, not a 4-byte count");
            return (BinaryPrimitives.ReadUInt32BigEndian(data), omap);
        }
        catch (CephException e)
        {
            throw Failed(e, tracker);
        }
    }

    private static void Write(RadosIoContext io, string tracker, RadosWriteOperation write)
    {
        try
        {
            io.Operate(tracker, write);
        }
        catch (CephException e)
        {
            throw Failed(e, tracker);
        }
    }

    // ERANGE/EOVERFLOW: the version assertion failed; EEXIST: another writer created it first
    private static CoreException Failed(CephException e, string tracker) => e.Errno is Errno.ERANGE or Errno.EOVERFLOW or Errno.EEXIST
        ? new CoreException(Failure.NotReady, $"reference tracker {tracker} changed meanwhile; retry")
        : CoreException.Ceph(e, $"updating reference tracker {tracker}");

    private static byte[] Be32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
