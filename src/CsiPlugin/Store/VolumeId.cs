using System.Globalization;

namespace ManagedCephFuse.CsiPlugin.Store;

/// <summary>
/// ceph-csi's CSI identifier (encoding version 1), byte for byte:
/// <c>hex16(version)-hex16(len(clusterID))-clusterID-hex64(locationID)-uuid</c>, e.g.
/// <c>0001-0009-rook-ceph-0000000000000001-b0285c97-b6d5-4e9c-9b4b-4d1e3c1c6d2a</c>. For CephFS the location is
/// the file system's id (fscid). At most 128 bytes (the CSI limit): 64 fixed bytes plus the cluster id.
/// </summary>
internal readonly record struct VolumeId(ushort EncodingVersion, string ClusterId, long LocationId, string ObjectUuid)
{
    public const ushort Version1 = 1;
    private const int KnownFieldSize = 64;
    private const int UuidSize = 36;
    private const int MaxLength = 128;

    public static VolumeId Create(string clusterId, long fscid, string uuid) => new(Version1, clusterId, fscid, uuid);

    public string Encode()
    {
        if (KnownFieldSize + ClusterId.Length > MaxLength)
            throw new FormatException($"clusterID '{ClusterId}' is too long for a volume ID (at most {MaxLength - KnownFieldSize} bytes)");
        if (ObjectUuid.Length != UuidSize)
            throw new FormatException($"'{ObjectUuid}' is not a 36-character UUID");
        return string.Create(CultureInfo.InvariantCulture,
            $"{EncodingVersion:x4}-{ClusterId.Length:x4}-{ClusterId}-{(ulong)LocationId:x16}-{ObjectUuid}");
    }

    public override string ToString() => Encode();

    /// <summary>Decodes an ID; false with the reason when it is not in ceph-csi's format.</summary>
    public static bool TryDecode(string? id, out VolumeId volumeId, out string error)
    {
        volumeId = default;
        if (id is null || id.Length < KnownFieldSize)
            return Fail("shorter than the 64 fixed bytes", out error);
        if (id.Length > MaxLength)
            return Fail($"longer than {MaxLength} bytes", out error);
        if (!ushort.TryParse(id.AsSpan(0, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort version) || id[4] != '-')
            return Fail("no hex16 encoding version", out error);
        if (!ushort.TryParse(id.AsSpan(5, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort clusterLength) || id[9] != '-')
            return Fail("no hex16 clusterID length", out error);
        int locationStart = 10 + clusterLength + 1;
        if (id.Length != locationStart + 16 + 1 + UuidSize)
            return Fail("length does not match the encoded clusterID length", out error);
        if (id[locationStart - 1] != '-' || id[locationStart + 16] != '-')
            return Fail("missing '-' separators", out error);
        if (!ulong.TryParse(id.AsSpan(locationStart, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong location))
            return Fail("no hex64 location id", out error);
        string uuid = id[(locationStart + 17)..];
        if (!Guid.TryParseExact(uuid, "D", out _))
            return Fail("no UUID at the end", out error);
        volumeId = new VolumeId(version, id.Substring(10, clusterLength), (long)location, uuid);
        error = "";
        return true;
    }

    private static bool Fail(string reason, out string error)
    {
        error = "not a ceph-csi volume ID: " + reason;
        return false;
    }
}
