using Csi.V1;

namespace ManagedCephFuse.CsiPlugin.Services;

/// <summary>CSI capacity ranges → subvolume quotas (multiples of 4 MiB, as ceph-csi rounds them).</summary>
internal static class CapacitySizes
{
    public const long Unit = 4L << 20;

    /// <summary>The quota to set, 0 for none (no range given).</summary>
    public static long Requested(CapacityRange? range, string rpc)
    {
        if (range is null)
            return 0;
        long required = range.RequiredBytes, limit = range.LimitBytes;
        if (required < 0 || limit < 0)
            throw CsiErrors.InvalidArgument($"{rpc}: capacity_range values must not be negative");
        if (limit > 0 && required > limit)
            throw CsiErrors.InvalidArgument($"{rpc}: required_bytes {required} exceeds limit_bytes {limit}");
        long size = required > 0 ? RoundUp(required) : limit / Unit * Unit;
        if (limit > 0 && (size == 0 || size > limit))
            throw CsiErrors.OutOfRange($"{rpc}: no multiple of 4 MiB fits in [{required}, {limit}] bytes");
        return size;
    }

    /// <summary>Whether an existing quota (null: none) satisfies a requested range.</summary>
    public static bool Satisfies(long? quota, CapacityRange? range)
    {
        if (range is null)
            return true;
        bool bigEnough = range.RequiredBytes == 0 || quota is null || quota >= range.RequiredBytes;
        bool smallEnough = range.LimitBytes == 0 || (quota is { } q && q <= range.LimitBytes);
        return bigEnough && smallEnough;
    }

    public static long RoundUp(long bytes) => bytes <= 0 ? 0 : checked((bytes + Unit - 1) / Unit * Unit);
}
