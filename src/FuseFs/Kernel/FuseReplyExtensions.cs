using ManagedCephFuse.FuseFs.Kernel.Abi;

namespace ManagedCephFuse.FuseFs.Kernel;

/// <summary>Helpers for filling reply structs in place.</summary>
internal static class FuseReplyExtensions
{
    /// <summary>How long the kernel may trust the name → node binding.</summary>
    public static void SetEntryTimeout(this ref FuseEntryOut entry, TimeSpan timeout) =>
        (entry.EntryValid, entry.EntryValidNsec) = Split(timeout);

    /// <summary>How long the kernel may trust the attributes.</summary>
    public static void SetAttrTimeout(this ref FuseEntryOut entry, TimeSpan timeout) =>
        (entry.AttrValid, entry.AttrValidNsec) = Split(timeout);

    /// <summary>How long the kernel may trust the attributes.</summary>
    public static void SetAttrTimeout(this ref FuseAttrOut attr, TimeSpan timeout) =>
        (attr.AttrValid, attr.AttrValidNsec) = Split(timeout);

    /// <summary>How long the kernel may trust the statx attributes.</summary>
    public static void SetAttrTimeout(this ref FuseStatxOut statx, TimeSpan timeout) =>
        (statx.AttrValid, statx.AttrValidNsec) = Split(timeout);

    private static (ulong Seconds, uint Nanoseconds) Split(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            return (0, 0);
        long ticks = timeout.Ticks;
        return ((ulong)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }
}
